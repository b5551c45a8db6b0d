"""How a query string's values read, for the mock that parses them and the checker that judges them."""

import re

# An integer is ASCII digits with an optional sign, as upstream's Go parser (strconv.Atoi) reads
# it. Python's int() would also take "5_0", " 5" and "٣" (an Arabic-Indic three); clients do not.
INTEGER = re.compile(r"[+-]?[0-9]+")
