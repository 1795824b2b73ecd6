"""``python -m allocator`` works the same as the ``allocator`` command."""

from allocator.cli import main

main()
