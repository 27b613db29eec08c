"""RDF plumbing: finding the input files, parsing them strictly, converting terms, writing RDF.

Nothing here knows about claims or queries; everything above builds on it.
"""
