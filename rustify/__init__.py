"""rustify: make slow pure-Python numeric functions fast."""
