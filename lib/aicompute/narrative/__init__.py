"""Wording lives here, not in the models.

The models (:mod:`aicompute.finance`, :mod:`aicompute.bubble`, :mod:`aicompute.scenarios`, ...) return numbers
and structures; the functions in this package turn them into the words a chapter or the front page shows.
One module per topic (``narrative.evidence``, ``narrative.finance``, ``narrative.bubble``,
``narrative.scenarios``, ...); each imports models and :mod:`aicompute.formatting`, never the build layer
(:mod:`aicompute.pipeline`). Tests of wording live in ``tests/test_narrative_*.py``; tests of models assert
numbers.
"""
