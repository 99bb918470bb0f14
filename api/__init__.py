"""The HTTP query layer (FastAPI). Build the app with :func:`api.app.create_app`."""
