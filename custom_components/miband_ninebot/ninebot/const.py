"""The wheel's fixed names and times: its characteristics, and how long each answer may take.

docs/protocols/ninebot-one.md, sections 1 and 5.
"""

from __future__ import annotations

UART_CHARACTERISTIC_UUID = "0000ffe1-0000-1000-8000-00805f9b34fb"
NORDIC_UART_RX_UUID = "6e400002-b5a3-f393-e0a9-e50e24dcca9e"  # the central writes here
NORDIC_UART_TX_UUID = "6e400003-b5a3-f393-e0a9-e50e24dcca9e"  # the wheel notifies here

# An answer of the live block takes four connection events at 30 ms; proxies with longer
# connection intervals need several times that. A lost answer costs this long.
ANSWER_TIMEOUT = 1.0
ATTEMPTS_PER_REQUEST = 4
SLOW_READ_INTERVAL = 15.0  # s in which every slow register is read once
# Reads of the lock register after a lock write before it counts as not obeyed: the wheel applies
# a write between requests, so the first read-back normally shows it.
LOCK_READ_BACKS = 3
# How long the read-back waits for the answer to an answered (0x02) write. 9BotONE's key fob waits
# for a frame after its 0x02 write before it reports success (src/puckjs-keyfob.js L155-162 at
# ca9a65ee); an S2's answer is never captured, so its absence delays the read-back, nothing more.
WRITE_ANSWER_TIMEOUT = 1.0
