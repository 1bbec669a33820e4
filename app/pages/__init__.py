"""The wizard's pages, one file each. A page shows engine state and turns intent into choices."""
