"""The web face of the analysis library: analysis pages over uploaded files and the event store, and saved analyses."""
