"""The applications app's pages, one module per noun: ``applications`` (the application, its
self-assessment, the district review and the workflow), ``standards`` (the scoring standards and
their import)."""
