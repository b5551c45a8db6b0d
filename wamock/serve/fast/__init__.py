"""What exists only for speed: the answer cache and compiled fixture stores."""
