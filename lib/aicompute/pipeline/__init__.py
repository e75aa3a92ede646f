"""The build layer: parameters, cache keys, execution (papermill), output-folder safety and the Quarto glue.

The models, the evidence layer and the narrative never import from here; the build imports them.
"""
