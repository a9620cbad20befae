"""Real captures of the devices, read back: the corpus under `tests/captures/`.

A capture is what a program that talked to a real band or wheel recorded: a btsnoop file, an
hcidump, a log of frames, a peer's test vectors. Each corpus file keeps the bytes as captured with
the source's address and commit; the modules here read them:

- `btsnoop`: btsnoop records (the corpus keeps them as text, one record per line).
- `hci`: HCI packets (H4) decoded into what a test asks about: advertising reports, connection
  events and parameters, and the ATT PDUs of each connection.
- `advertising`: AD structures, as a scanner merges them into what Home Assistant sees.
- `corpus`: a corpus file's provenance header and its records.

Nothing here is shipped; the emulators and tests use it to stay true to the captures.
"""
