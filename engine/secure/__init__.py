"""Secured sessions and images: a layer that seals and opens whole datagrams (and image records)
between the protocol machines and the sockets (or files). The machines never see a key.

- `kdf`: passphrase -> key (scrypt, announced and bounded cost), reading a passphrase safely.
- `seal`: one session's datagram sealer and opener: AEAD, nonces from sender id + counter,
  a replay window per sender, counters of what failed.
- `machine`: `SecuredMachine`, which wraps a master, client or undecided participant.
- `image`: encrypted .imgcast files (the image stream cut into sealed records).
"""
