"""The embedded store: generations on disk, strict loading, the build (quotes, shapes, derived graph),
export and statistics."""
