"""The storage of the static files `rocc serve` collects: hashed names (cached by browsers for good) and gzip copies."""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedCompressedStaticFiles(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, rewriting the references in stylesheets (url() and @import) but not
    source-map comments: the shipped libraries name source maps they do not ship, and a missing debugging aid must
    not stop the server from starting."""

    patterns = (("*.css", tuple(p for p in dict(ManifestStaticFilesStorage.patterns)["*.css"] if "sourceMappingURL" not in str(p))),)
