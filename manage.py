#!/usr/bin/env python
from ishenim.cli import main

if __name__ == "__main__":
    main()
