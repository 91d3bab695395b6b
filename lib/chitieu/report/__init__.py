"""What people read: the presentation layer (labels, number formats, colours), tables for Excel and CSV, charts,
the report notebook's building blocks, drafts, and the batch runner that renders every locality."""
