"""`scripts/bench`: measured figures, side by side in one run, on the emulated link model."""
