"""Disks and raw disk files: opening them, their size, their partition table, the safety checks
before writing one, and the used-block maps partclone makes of their file systems."""
