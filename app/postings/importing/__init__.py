"""Bulk import and export of postings: the file contract shared by `flask catalog` and the admin pages.

Three steps, so the web preview can validate without writing: reading.read_records →
validation.validate_records → writing.import_records; exporting writes the same contract back out.
Posting fields are checked by app.postings.schema.clean_posting; this package adds what only files
have: the kind/ref/organisation columns, JSON types, duplicates within a file, and the upsert.
"""
