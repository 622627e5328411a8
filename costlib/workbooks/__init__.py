"""One module per workbook: its scenario schema (``Params``) and ``analyse``, which turns a validated
scenario into every table, figure and sentence the notebook shows. Notebook cells only call these."""
