"""The .imgcast image stream: its layout (format.py), building it from a disk (builder.py),
parsing it incrementally (parser.py), and the master's sources and the client's sink over it."""
