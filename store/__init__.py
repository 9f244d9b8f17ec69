"""The app's own state (users, outbox, history, drafts): SQLite files by default, or one
PostgreSQL database that several servers share (``RETENCAO_DATABASE_URL``)."""
