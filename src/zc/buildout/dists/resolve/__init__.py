"""Resolving: requirements and ``[versions]`` pins -> the distributions to use.

Who does what: ``resolver`` runs resolvelib over ``candidates`` (needs,
candidates and their dependencies) that ``available`` offers, best first,
from what is installed and what the finder finds; ``conflicts`` explains a
failure so a person can act; ``result`` is what a resolution gives;
``picked`` reports (or refuses) versions no pin chose; ``remembered`` keeps
resolutions between runs, so a run with nothing to do resolves nothing.
"""
