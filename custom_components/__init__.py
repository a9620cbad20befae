"""Home Assistant custom components (tests import this so that our package wins on sys.path)."""
