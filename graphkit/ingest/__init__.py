"""Reading the inputs: importers of the national files, curated tables, merging vintages, the data-quality report."""
