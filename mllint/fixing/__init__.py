"""Automatic fixes on the command line: ``check --fix``, ``--unsafe-fixes``, ``--diff``.

- :mod:`mllint.fixing.fold`: folding code whose tests have known values, block layout kept
  (shared with ``mllint retire``);
- :mod:`mllint.fixing.edits`: the edits around a fold (imports left unused, parameters,
  ``__all__`` entries), also shared with ``mllint retire``;
- :mod:`mllint.fixing.transform`: one LibCST pass per file that folds decided branches (with
  :mod:`~mllint.fixing.fold`), deletes definitions, comment blocks and the imports that only
  removed code used;
- :mod:`mllint.fixing.plan`: which of those edits the findings of one round ask for;
- :mod:`mllint.fixing.engine`: the rounds (fix, verify, re-analyse, repeat), the safe write
  and the unified diff (:func:`~mllint.fixing.engine.apply_fixes`,
  :func:`~mllint.fixing.engine.unified_diff`).
"""
