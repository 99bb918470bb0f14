"""The OWL 2 datatype-map view of N-Triples for HermiT: every xsd:date literal d becomes the xsd:dateTime dT00:00:00
(the start of that day; documented reasoning profile). Lexical only, so it streams."""
import re, sys
DATE = re.compile(r'"(\d{4}-\d{2}-\d{2})"\^\^<http://www\.w3\.org/2001/XMLSchema#date>')
with open(sys.argv[1]) as i, open(sys.argv[2], "w") as o:
    for line in i:
        o.write(DATE.sub(r'"\1T00:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>', line))
