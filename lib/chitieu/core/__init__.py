"""The domain rules, written once: vocabulary, number rules, and the engine that picks the value that counts,
computes the report's ratio and gives the direction-aware verdict. Pure functions on arrays; no file is read here
except the rule tables shipped beside this module (``rules/*.csv``)."""
