"""tests/net: a multi-host LAN of network namespaces (rig.py), its loss shim and their tests."""
