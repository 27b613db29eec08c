"""A synthetic corpus of the same shape as the bundled data, for benchmarks at scale.

Each synthetic study repeats the patterns of ``data/*.ttl``: a study with a design and a
publication, a population with a quantity criterion, an intervention with dose, route,
frequency and duration, effects (with an estimate where the design pools trials), a
document section with three sentences located by quote and position selectors, and four
claims (a study claim, two finding claims and a conclusion that rests on the findings).
The sentences are written into a generated source text, so every quote is verbatim at its
offsets, every number a claim states is in its quote and every hedge cue is in its quote.

Output is deterministic for a seed. Publications use the DOI prefix ``10.5555``, which
Crossref reserves for examples and tests: no real paper is named.

>>> corpus = generate(claims=8, seed=1)
>>> corpus.claims, corpus.studies
(8, 2)
>>> import pyoxigraph
>>> store = pyoxigraph.Store(); store.load(corpus.turtle, format=pyoxigraph.RdfFormat.TURTLE)
>>> len(store) == corpus.triples
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from vitd_kg.namespaces import PREFIXES

CLAIMS_PER_STUDY = 4
#: Triples per claim, on average, measured on generated corpora (used to aim at a size).
TRIPLES_PER_CLAIM = 36.7
DOCUMENT = "synthetic-corpus"
SOURCE_NAME = f"{DOCUMENT}.txt"

_PREFIX_NAMES = (
    "vitd", "rdfs", "xsd", "skos", "dcterms", "oa", "bibo", "obo", "doc", "section", "sentence",
    "claim", "study", "population", "criterion", "intervention", "comparator", "effect", "estimate", "concept",
)

#: Concepts every synthetic study uses, copied from data/concepts.ttl (same triples).
_FIXED_CONCEPTS = """\
concept:vitamin-d a vitd:Substance ;
    rdfs:label "vitamin D" ;
    skos:definition "Vitamin D, of unstated form (the source does not say D2 or D3)." ;
    skos:exactMatch obo:CHEBI_27300 .

concept:25-hydroxyvitamin-d a vitd:Measure ;
    rdfs:label "serum 25-hydroxyvitamin D" ;
    skos:altLabel "25(OH)D" ;
    skos:definition "The concentration of 25-hydroxyvitamin D in blood, the usual measure of vitamin D status." .

concept:age a vitd:Measure ;
    rdfs:label "age" ;
    skos:definition "Age in years." .

concept:vitamin-d-deficiency a vitd:Condition ;
    rdfs:label "vitamin D deficiency" ;
    skos:definition "A low vitamin D status, as measured by serum 25-hydroxyvitamin D." .

concept:the-evidence a vitd:Topic ;
    rdfs:label "the evidence" ;
    skos:definition "The evidence the document has presented, as its conclusion refers to it." .

"""

_OUTCOME_WORDS = (
    "muscle strength", "grip strength", "muscle spasm frequency", "cramp severity", "gait speed",
    "balance", "muscle power", "chronic back pain", "chronic neck pain", "fatigue", "quality of life",
    "muscle endurance", "fall rate", "sit-to-stand time", "leg extension power", "night cramps",
)


@dataclass(frozen=True)
class Corpus:
    """A generated corpus: the Turtle, the source text its quotes point into, and sizes."""

    turtle: str
    text: str
    claims: int
    studies: int
    triples: int

    def write(self, turtle_file: Path) -> Path:
        """Write the Turtle file and the source text beside it in ``source/`` (the layout
        of ``data/``, so the folder works as ``--data``); return the text file's path."""
        turtle_file = Path(turtle_file)
        turtle_file.parent.mkdir(parents=True, exist_ok=True)
        turtle_file.write_text(self.turtle, encoding="utf-8")
        text_file = turtle_file.parent / "source" / SOURCE_NAME
        text_file.parent.mkdir(exist_ok=True)
        text_file.write_text(self.text, encoding="utf-8")
        return text_file


def claims_for_triples(triples: int) -> int:
    """The number of claims to ask for to get about ``triples`` triples."""
    return max(CLAIMS_PER_STUDY, round(triples / TRIPLES_PER_CLAIM))


def generate(claims: int, seed: int = 0) -> Corpus:
    """Generate a corpus of at least ``claims`` claims (rounded up to whole studies of 4)."""
    if claims < 1:
        raise ValueError("claims must be at least 1")
    studies = -(-claims // CLAIMS_PER_STUDY)
    rng = random.Random(seed)
    text = _TextBuilder()
    text.add_line(f"Synthetic corpus of {studies} studies (seed {seed})")
    outcomes = max(len(_OUTCOME_WORDS), studies // 8)
    blocks = [_header(seed, studies), _outcome_concepts(outcomes)]
    triples = _count_triples(blocks[0]) + _count_triples(blocks[1])
    for index in range(1, studies + 1):
        block, count = _study(index, rng, text, outcomes)
        blocks.append(block)
        triples += count
    return Corpus("".join(blocks), text.value(), studies * CLAIMS_PER_STUDY, studies, triples)


class _TextBuilder:
    """The generated source document, one line per section; tracks code-point offsets."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0

    def add_line(self, line: str) -> None:
        self._append(line + "\n")

    def add_sentence(self, sentence: str, last: bool) -> tuple[int, int]:
        start = self._length
        self._append(sentence + ("\n" if last else " "))
        return start, start + len(sentence)

    def _append(self, part: str) -> None:
        self._parts.append(part)
        self._length += len(part)

    def value(self) -> str:
        return "".join(self._parts)


def _header(seed: int, studies: int) -> str:
    prefixes = "".join(f"@prefix {name}: <{PREFIXES[name]}> .\n" for name in _PREFIX_NAMES)
    return (
        "# Synthetic corpus generated by `vitd-kg synth` for benchmarks: not evidence.\n"
        f"# seed {seed}, {studies} studies, {studies * CLAIMS_PER_STUDY} claims.\n\n"
        + prefixes
        + "\n"
        + f"""doc:{DOCUMENT} a vitd:SourceDocument ;
    dcterms:title "Synthetic corpus for benchmarks" ;
    dcterms:description "Generated text whose sentences the synthetic claims quote; it states nothing true." ;
    dcterms:format "text/plain" ;
    dcterms:identifier "synthetic-seed-{seed}-studies-{studies}" .

study:{DOCUMENT}-synthesis a vitd:Study ;
    rdfs:label "the synthetic corpus's narrative synthesis" ;
    vitd:design vitd:NarrativeSynthesis .

"""
        + _FIXED_CONCEPTS
    )


def _outcome_concepts(count: int) -> str:
    lines = []
    for j in range(count):
        words = _outcome_label(j)
        lines.append(
            f"concept:synth-outcome-{j} a vitd:Outcome ;\n"
            f'    rdfs:label "{words}" ;\n'
            f'    skos:definition "A synthetic outcome: {words}." .\n\n'
        )
    return "".join(lines)


def _outcome_label(j: int) -> str:
    base = _OUTCOME_WORDS[j % len(_OUTCOME_WORDS)]
    return base if j < len(_OUTCOME_WORDS) else f"{base} (measure {j // len(_OUTCOME_WORDS)})"


def _study(k: int, rng: random.Random, text: _TextBuilder, outcomes: int) -> tuple[str, int]:
    """One study with its population, intervention, effects, sentences and four claims."""
    pooled = rng.random() < 0.5  # a meta-analysis of RCTs, else a case series
    o1, o2 = rng.sample(range(outcomes), 2)
    out1, out2 = _outcome_label(o1), _outcome_label(o2)
    dose = rng.choice((400, 800, 1000, 2000, 4000, 10000, 50000))
    weeks = rng.choice((4, 8, 12, 16, 24, 52))
    threshold = rng.choice((25, 30, 50, 75))
    year = 1990 + k % 35
    pub = f"<https://doi.org/10.5555/vitd-kg-synth.{k}>"
    design = "vitd:SystematicReviewAndMetaAnalysis" if pooled else "vitd:CaseSeries"
    level = "vitd:ControlledTrialSynthesis" if pooled else "vitd:UncontrolledClinicalEvidence"
    s = f"synth-{k}"
    trials, participants = rng.randint(5, 60), rng.randint(200, 9000)
    magnitude = rng.choice((20, 30, 40, 50, 60, 70, 80))

    text.add_line(f"Study {k}")
    if pooled:
        first = (
            f"A meta-analysis of {trials} randomized controlled trials with {participants} participants "
            f"assessed {out1} and {out2}."
        )
    else:
        first = f"Case series {k} examined {out1} and {out2} in patients with vitamin D deficiency."
    second = (
        f"In patients with 25-hydroxyvitamin D below {threshold} nmol/L, {dose:,} IU of oral vitamin D "
        f"weekly for {weeks} weeks improved {out1}"
        + (f" and {out2}." if pooled else f" by more than {magnitude}% and {out2}.")
    )
    third = f"The evidence suggests that vitamin D alleviates poor {out1}."
    span1 = text.add_sentence(first, last=False)
    span2 = text.add_sentence(second, last=False)
    span3 = text.add_sentence(third, last=True)

    parts: list[str] = []
    add = parts.append
    add(
        f"{pub} a vitd:Publication ;\n"
        f'    dcterms:title "Synthetic study {k} of vitamin D and {out1}" ;\n'
        f'    dcterms:creator "Author{k} A" ;\n'
        f'    dcterms:issued "{year}"^^xsd:gYear ;\n'
        f'    dcterms:bibliographicCitation "Author{k} A. Synthetic study {k}. Synthetic Journal. {year};1:{k}." ;\n'
        f'    bibo:doi "10.5555/vitd-kg-synth.{k}" .\n\n'
    )
    study = (
        f"study:{s} a vitd:Study ;\n"
        f'    rdfs:label "synthetic study {k}" ;\n'
        f"    vitd:design {design} ;\n"
    )
    if pooled:
        study += (
            "    vitd:includedDesign vitd:RandomizedControlledTrial ;\n"
            f"    vitd:includedStudies {trials} ;\n"
            f"    vitd:participants {participants} ;\n"
        )
    else:
        study += "    vitd:exposure concept:vitamin-d-deficiency ;\n"
    study += (
        f"    vitd:publication {pub} ;\n"
        f"    vitd:population population:{s} ;\n"
        f"    vitd:intervention intervention:{s} ;\n"
        + (f"    vitd:comparator comparator:{s} ;\n" if pooled else "")
        + f"    vitd:outcome concept:synth-outcome-{o1} , concept:synth-outcome-{o2} .\n\n"
    )
    add(study)
    add(
        f"population:{s} a vitd:Population ;\n"
        f'    rdfs:label "patients with 25-hydroxyvitamin D below {threshold} nmol/L (study {k})" ;\n'
        "    vitd:condition concept:vitamin-d-deficiency ;\n"
        f"    vitd:criterion criterion:{s} .\n\n"
        f"criterion:{s} a vitd:QuantityCriterion ;\n"
        f'    rdfs:label "25-hydroxyvitamin D below {threshold} nmol/L" ;\n'
        "    vitd:measure concept:25-hydroxyvitamin-d ;\n"
        "    vitd:operator vitd:LessThan ;\n"
        f"    vitd:value {threshold} ;\n"
        '    vitd:unit "nmol/L" .\n\n'
        f"intervention:{s} a vitd:Intervention ;\n"
        f'    rdfs:label "oral vitamin D, {dose:,} IU weekly for {weeks} weeks" ;\n'
        "    vitd:substance concept:vitamin-d ;\n"
        "    vitd:corrects concept:vitamin-d-deficiency ;\n"
        f"    vitd:doseValue {dose} ;\n"
        '    vitd:doseUnit "[iU]" ;\n'
        "    vitd:route vitd:Oral ;\n"
        "    vitd:frequency vitd:Weekly ;\n"
        f'    vitd:duration "P{weeks * 7}D"^^xsd:duration ;\n'
        f"    vitd:durationValue {weeks} ;\n"
        '    vitd:durationUnit "wk" .\n\n'
    )
    if pooled:
        add(
            f"comparator:{s} a vitd:Comparator ;\n"
            '    rdfs:label "placebo or control" ;\n'
            f"    vitd:publication {pub} .\n\n"
        )
    for n, (o, words) in enumerate(((o1, out1), (o2, out2)), start=1):
        add(_effect(s, n, o, words, pooled, magnitude if n == 1 else None, pub, rng))

    section = f"section:{s}"
    add(
        f"{section} a vitd:DocumentSection ;\n"
        f'    dcterms:title "Study {k}" ;\n'
        f"    vitd:sectionOf doc:{DOCUMENT} .\n\n"
    )
    for n, (sentence, (start, end)) in enumerate(zip((first, second, third), (span1, span2, span3)), start=1):
        add(_sentence(f"{s}-s{n}", section, sentence, start, end))

    common = f"    vitd:evidenceLevel {level} ;\n    vitd:reportsStudy study:{s} ;\n    vitd:publication {pub} .\n\n"
    states = "vitd:design , vitd:includedStudies , vitd:participants" if pooled else "vitd:design , vitd:exposure"
    add(
        f"claim:{s}-design a vitd:StudyClaim ;\n"
        f'    rdfs:label "Study {k} and what it assessed" ;\n'
        f"    vitd:sourceSentence sentence:{s}-s1 ;\n"
        f"    vitd:subject study:{s} ;\n"
        "    vitd:relation vitd:studies ;\n"
        f"    vitd:object concept:synth-outcome-{o1} , concept:synth-outcome-{o2} ;\n"
        f"    vitd:statesProperty {states} ;\n"
        "    vitd:modality vitd:Asserted ;\n" + common
    )
    for n, o in ((1, o1), (2, o2)):
        add(
            f"claim:{s}-finding-{n} a vitd:FindingClaim ;\n"
            f'    rdfs:label "Study {k}: vitamin D improved {_outcome_label(o)}" ;\n'
            f"    vitd:sourceSentence sentence:{s}-s2 ;\n"
            f"    vitd:subject intervention:{s} ;\n"
            "    vitd:relation vitd:improves ;\n"
            f"    vitd:object concept:synth-outcome-{o} ;\n"
            f"    vitd:forPopulation population:{s} ;\n"
            "    vitd:modality vitd:Asserted ;\n"
            f"    vitd:reportsEffect effect:{s}-{n} ;\n" + common
        )
    add(
        f"claim:{s}-conclusion a vitd:ConclusionClaim ;\n"
        f'    rdfs:label "Conclusion of study {k}: vitamin D alleviates poor {out1}" ;\n'
        f"    vitd:sourceSentence sentence:{s}-s3 ;\n"
        "    vitd:subject concept:vitamin-d ;\n"
        "    vitd:relation vitd:alleviates ;\n"
        f"    vitd:object concept:synth-outcome-{o1} ;\n"
        "    vitd:attributedTo concept:the-evidence ;\n"
        "    vitd:modality vitd:Suggested ;\n"
        '    vitd:hedgeCue "suggests" ;\n'
        "    vitd:evidenceLevel vitd:SynthesisOfClaims ;\n"
        f"    vitd:reportsStudy study:{DOCUMENT}-synthesis ;\n"
        f"    vitd:restsOn claim:{s}-finding-1 , claim:{s}-finding-2 .\n\n"
    )
    block = "".join(parts)
    return block, _count_triples(block)


def _count_triples(turtle: str) -> int:
    """Triples in Turtle written as these templates write it: one predicate per line,
    objects separated by \" , \"; prefixes and comments carry none."""
    count = 0
    for line in turtle.splitlines():
        if line.endswith((" ;", " .")) and not line.startswith(("@prefix", "#")):
            count += 1 + line.count(" , ")
    return count


def _effect(s: str, n: int, outcome: int, words: str, pooled: bool, magnitude: int | None, pub: str, rng: random.Random) -> str:
    head = (
        f"effect:{s}-{n} a vitd:Effect ;\n"
        f'    rdfs:label "effect on {words}" ;\n'
        f"    vitd:intervention intervention:{s} ;\n"
        f"    vitd:effectPopulation population:{s} ;\n"
        f"    vitd:outcome concept:synth-outcome-{outcome} ;\n"
    )
    if not pooled:
        body = "    vitd:direction vitd:Improvement ;\n"
        if magnitude is not None:
            body += f'    vitd:operator vitd:MoreThan ;\n    vitd:magnitudeValue {magnitude} ;\n    vitd:magnitudeUnit "%" ;\n'
        body += "    vitd:patientReported true ;\n" if magnitude is not None else ""
        body += "    vitd:significance vitd:SignificanceNotReported .\n\n"
        return head + body
    smd = rng.randint(5, 60) / 100
    estimate = f"estimate:{s}-{n}-smd"
    if rng.random() < 0.5:
        stats = f"    vitd:pValue {rng.randint(1, 49) / 1000} ;\n"
        significance = "vitd:Significant"
    else:
        low = round(smd - rng.randint(1, 20) / 100, 2)
        high = round(smd + rng.randint(1, 20) / 100, 2)
        stats = f"    vitd:confidenceInterval obo:STATO_0000231 ;\n    vitd:ciLower {low} ;\n    vitd:ciUpper {high} ;\n"
        significance = "vitd:Significant" if low > 0 else "vitd:NotSignificant"
    return (
        head
        + f"    vitd:comparator comparator:{s} ;\n"
        + "    vitd:direction vitd:Increase ;\n"
        + f"    vitd:significance {significance} ;\n"
        + f"    vitd:estimate {estimate} .\n\n"
        + f"{estimate} a vitd:EffectEstimate ;\n"
        + "    vitd:statistic obo:STATO_0000100 ;\n"
        + f"    vitd:value {smd} ;\n"
        + stats
        + f"    vitd:publication {pub} .\n\n"
    )


def _sentence(name: str, section: str, sentence: str, start: int, end: int) -> str:
    quote = sentence.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f"sentence:{name} a vitd:SourceSentence ;\n"
        f"    oa:hasSource doc:{DOCUMENT} ;\n"
        f"    vitd:inSection {section} ;\n"
        f"    oa:hasSelector sentence:{name}-quote , sentence:{name}-position .\n"
        f"sentence:{name}-quote a oa:TextQuoteSelector ;\n"
        f'    oa:exact "{quote}" .\n'
        f"sentence:{name}-position a oa:TextPositionSelector ;\n"
        f"    oa:start {start} ;\n"
        f"    oa:end {end} .\n\n"
    )
