"""Everything that reads or writes files: the number grammar of cells, data/ loading and validation, imports of
tables and documents, and the safe writers every output goes through."""
