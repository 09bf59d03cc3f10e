"""The phrases that say what a number in a text is about, for :mod:`.checking`.

Each constant is one kind of context, named for what it detects and where it looks: ``*_BEFORE``
is searched in the text before a claim (usually ending at it), ``*_AFTER`` is matched right after
it, ``*_IN`` anywhere in a clause or sentence. Most are :class:`~.wordre.WordStarts` (the same
matches as the plain ``\\b(?:...)`` regex, searched from word start to word start). Each carries
an example of the phrasing it stands for; :meth:`.checking.ClaimChecker.classify` decides what
to do with a match. Adding a phrasing is a data change here, with a test in
``tests/test_checking*.py`` that shows the figure passing in that context and failing without it.
"""

from __future__ import annotations

import re

from reality.validators.wordre import WordStarts


def each(heads: list[str], tail: str) -> list[str]:
    """One alternative per head, each followed by ``tail``: ``\\b(?:a|b)T`` matches where ``\\baT|\\bbT`` does."""
    return [head + tail for head in heads]


# -- the user's budget or deadline (a constraint, not a claim); corrections of an impossible plan
BEFORE_CONSTRAINT = WordStarts(each(
    ["budget", "afford", "spend", "spending", "deadline", "within", "under", r"limit(?:ed)?", r"cap(?:ped)?", "no more than",
     "at most", r"max(?:imum)?", "only have", "i have", "we have", "got", r"need (?:it|this|results?) (?:in|by|within)", "by",
     r"in (?:the )?next", "left", "remaining", "allocated", "approved"],
    r"\b[^.!?\n]{0,25}$"))
# what still marks the user's budget or deadline in a response ("with your $500 budget", "you have 3 days")
RESPONSE_CONSTRAINT = WordStarts(each(
    [r"your budget", "my budget", "our budget", "their budget", "the client's budget", "a total budget",
     r"budget (?:of|is|was|cap|limit|allows|left)", "within budget", "over budget", "under budget", "on budget",
     "remaining budget", "afford", "deadline", r"limit(?:ed)?", r"cap(?:ped)?",
     "only have", "i have", "we have", "you have",
     r"need (?:it|this|results?) (?:in|by|within)", "left", "remaining", "allocated", "approved", "got", "by",
     r"in (?:the )?next"],
    r"\b[^.!?\n]{0,25}$"))
# "budget" as a verb: a response's advice on what to spend ("budget at least $120 for the run")
BUDGET_VERB = re.compile(
    r"(?:^|[.!?:;,\n]\s*|\*\*\s*|\b(?:i'd|i would|you'd|you should|should|would|to|we|i|please|just|so|and)\s+)"
    r"budget\s+(?:(?:about|around|roughly|approximately|at\s+least|up\s+to|no\s+more\s+than|~)\s*)?$",
    re.I,
)
AFTER_CONSTRAINT = re.compile(r"^[^.!?\n]{0,12}\b(?:budget|deadline|limit|cap|to spend|left|available|allocated|approved)\b", re.I)
DEADLINE_WORDS = re.compile(r"\b(deadline|within|by|in the next|need (?:it|this|results?) in|due|before|have)\b", re.I)
PER_EPOCH = re.compile(r"(?:for\s+|in\s+)?\b(?:per|each|every|one|1|a single|an|first|the first)\s+epoch\b|\bepoch\)", re.I)
# "is there a per-epoch phrase anywhere": PER_EPOCH without its optional lead-in (which only
# moves where a match starts, not whether there is one)
PER_EPOCH_IN = WordStarts(each(["per", "each", "every", "one", "1", "a single", "an", "first", "the first"], r"\s+epoch\b")
                           + [r"epoch\)"])
GPU_HOURS = re.compile(r"gpu[- ]?h(?:ou)?rs?\b", re.I)
PER_HOUR = re.compile(r"^\s*(?:/|per\s+|an?\s+)(?:gpu[- ]?)?(?:hour|hr|h)\b", re.I)
CORRECTION = WordStarts([
    r"not (?:realistic|feasible|possible|enough|going to (?:work|fit))\b", r"unrealistic\b", r"infeasible\b", r"impossible\b",
    *each(["won't", "will not", "doesn't", "does not", "can't", "cannot", "wouldn't", "would not"],
           r" (?:fit|work|cover|be enough|be possible|get you|happen)\b"),
    r"isn't (?:realistic|feasible|possible|enough)\b", r"exceeds?\b", r"over (?:your |the )?budget\b", r"falls? short\b",
    r"short of\b", r"out of reach\b", r"would (?:need|require|cost|take)\b", r"you(?:'d| would) need\b", r"realistically\b",
    r"reality check\b", r"unfortunately\b", r"the math\b", r"more than (?:your|you have)\b", r"far more\b", r"underestimat\w*",
    r"overestimat\w*", r"misconception\b", r"common myth\b", r"actually\b", r"in practice\b", r"not quite\b",
    r"too (?:small|little|large|big|optimistic)\b",
])
CORRECTION_EXTRA = WordStarts([
    r"off by\b", r"far (?:outside|beyond|above|below|over|short)\b", r"outside (?:the|your) budget\b",
    *each([r"needs?", r"requires?", r"takes?", r"uses?"],
           r" (?:far |much |a lot |several times )?more (?:memory|vram|gpu memory|time|money|gpus?) than\b"),
    r"more (?:memory|vram) than (?:the|your|a|one) (?:card|gpu)\b",
    *each(["is", "are", "was"], r" (?:wrong|incorrect|off|mistaken)\b"),
    r"does(?:n't| not) add up\b", r"no (?:setting|config(?:uration)?|trick) will\b",
    r"not\s+(?:~|about\s+|around\s+|roughly\s+)?[$\d]", r"not (?:within|under|inside|below|doable|workable|viable)\b",
    r"no way\b", *each(["can't", "cannot", "can not"], r" be done\b"), r"out of the question\b",
    r"too (?:expensive|slow|long|short|low|high|tight)\b", r"won't be enough\b",
])

# -- what a number is about (checked only when it is about the training run itself)
CLAUSE_BEFORE = 60
INTERVAL_BEFORE = re.compile(r"\b(?:every|each|per)\s+(?:other\s+)?$", re.I)
THRESHOLD_BEFORE = re.compile(
    r"\b(?:runs?|jobs?|tasks?|experiments?|workloads?|trainings?|anything|everything|requests?|expenses?|spend(?:ing)?|"
    r"purchases?|invoices?|bills?|sessions?|reservations?)\s+"
    r"(?:that\s+(?:take|takes|last|lasts|run|runs|cost|costs|need|needs|use|uses|exceed|exceeds)\s+|taking\s+|lasting\s+|"
    r"costing\s+|needing\s+|of\s+)?"
    # a second limit chained to the first: "any run over $500 or over 100 GPU-hours"
    r"(?:(?:above|over|more than|exceeding|under|below|less than)\s*\$?[\d.,]+\s*[kKmM]?\s*(?:[A-Za-z-]+\s+)?(?:or|and)\s+)?"
    r"(?:above|over|longer than|more than|exceeding|beyond|under|below|shorter than|less than|past|greater than|>|<)\s*$",
    re.I,
)
NEGATION_WORDS = frozenset({"not", "than", "of", "from", "never", "near", "even"})
COMPARATORS = frozenset({"above", "over", "than", "exceeding", "beyond", "under", "below", "past", ">", "<"})
ELAPSED_BEFORE = re.compile(r"\b(?:after|(?:for|in|within|during|over) the (?:first|last))\s+$", re.I)
LOSS_BEFORE = WordStarts(each([r"loss(?:es)?", "lose", "losing", "lost", r"wasted?", "wasting"], r"\b[^.;:!?\n]{0,25}$")
                          # "a crash then costs you half an hour"
                          + each([r"costs?", "costing", r"sets?"],
                                  r"\s+(?:you|us|them|the team)\s+(?:back\s+)?(?:only\s+|just\s+|at most\s+)?$"))
EFFORT_AFTER = re.compile(
    r"^\s*(?:of|for)\s+(?:\w+[- ]){0,2}?(?:work|effort|labou?r|cleaning|labell?ing|annotation|review(?:ing)?|engineering|"
    r"developers?|engineers?|people|person|someone|human|manual|agent|staff|analysts?|writing|prep(?:aration)?|debugging|"
    r"meetings?|setup|experience|reading|clean-?up|evaluation|de-?identification|anonymi[sz]ation|curation|integration|"
    r"deployment|data\s+prep\w*|testing|trying|tinkering)\b"
    # "two days to clean the data": a person's task named by its verb
    r"|^\s*to\s+(?:clean|de-?identify|anonymi[sz]e|label|annotate|write|review|curate|collect|gather|prepare|integrate|"
    r"deploy|design|document|hire|onboard)\b",
    re.I,
)
# a person's task right before the duration: "Data cleaning 2 days, ... client review 3 days"
EFFORT_NOUNS = frozenset(
    "cleaning cleanup clean-up labelling labeling annotation review reviews evaluation testing integration deployment "
    "prep preparation documentation meeting meetings onboarding sign-off signoff approval handover hand-over writing "
    "curation de-identification deidentification".split())
EFFORT_LINKS = frozenset({"takes", "take", "needs", "need", "of", "about", "around", "roughly", "~", ":", "=", "-", "–"})


def effort_before(words: list[str]) -> bool:
    """The words before a duration end with a person's task, maybe linked: "client review 3 days",
    "data prep: about 2 days", "evaluation takes 1 day"."""
    for word in reversed(words[-3:]):
        w = word.lower().strip(":=,")
        if w in EFFORT_NOUNS:
            return True
        if w and w not in EFFORT_LINKS:
            return False
    return False


OTHER_TASK_BEFORE = WordStarts(each(
    ["scoring", "evaluating", "evaluation", "generating", "generation", "inference", "downloading", "download", "loading",
     "merging", "converting", "conversion", "quantizing", "quantization", "uploading", "exporting", "tokenizing",
     "tokenization", "preprocessing", "deduplicat\\w*", "the eval", "serving", "a reply", "a response", "each request"],
    r"\b[^.!?\n]{0,25}?\b(?:takes?|took|runs?|needs?|lasts?|is|are)\s+(?:(?:about|around|roughly|only|just|under|~)\s*)?$"))
# "your ops lead will spend one to two weeks on this": people's time
# "spend the first couple of weeks generating and reviewing data": what the time is spent doing
TASK_GERUND_AFTER = re.compile(
    r"^\s+(?:on\s+|just\s+|mostly\s+)?(?:generating|reviewing|labell?ing|annotating|cleaning|collecting|curating|writing|"
    r"preparing|gathering|building|designing|evaluating|testing|debugging|reading|interviewing|scraping|deduplicating|"
    r"filtering|formatting|planning|documenting|integrating|deploying)\b", re.I)
SPEND_BEFORE = re.compile(
    r"\b(?:spend|spends|spending|spent|invest|allocate)\s+(?:(?:about|around|roughly|~)\s*)?(?:[\w.]+\s+(?:to|or)\s+)?$", re.I)
COMPUTE_AFTER = re.compile(r"^\s*(?:of\s+)?(?:gpu|compute|training|fine-?tun)", re.I)
# the claim sits in an if-clause: "if" (or "unless") and no clause break or "then" up to the claim
IF_CLAUSE_BEFORE = re.compile(r"\b(?:if|unless)\b[^,;:.!?\n]{0,60}$(?<!\bthen\b)", re.I)
# words that tie a time or money figure to the training run (see _run_anchored)
RUN_ANCHOR = WordStarts(each(
    [r"takes?", "took", "taking", r"finish(?:es|ed)?", r"complete[sd]?", r"run ?time", r"wall(?:[- ]?clock|[- ]time)?", "eta",
     r"lasts?", r"runs?", "training", r"trains?", "trained", r"fine-?tun\w*", r"finetun\w*", r"jobs?", r"epochs?", "passes",
     r"gpus?", r"gpu-?hours?", "compute", r"rent\w*", "cloud", r"instances?", r"bill\w*", "cost of the", "per run", "overnight",
     r"attempts?", "on-demand", r"costs?", r"spend(?:s|ing)?", r"total(?:ly|s)?", "in all", "altogether"], r"\b"))
# the sentence is about people's time: "your engineers' time to clean the data ... could take a few weeks"
PEOPLE_TIME = WordStarts(each(
    [r"engineers?(?:'s|')? time", r"people(?:'s)? time", r"staff time", r"team(?:'s)? time", r"your time", "human time",
     r"person-(?:hours|days|weeks)", r"man-(?:hours|days)", r"engineering time", r"developer time"], r"\b"))
SERVING = WordStarts(each([r"serv(?:e|es|ing)", r"host(?:s|ing|ed)?", "inference", r"around the clock", "24/7",
                              r"per month", "a month", "monthly", r"per (?:1k|1m|million|thousand) tokens", "api calls?"], r"\b"))
IN_WORDS = frozenset({"in", "within", "about", "around", "roughly", "under", "than", "~"})
# a person doing something in that time: "you can answer in ten seconds", "we reviewed it in an hour"
PERSON_ACT_BEFORE = WordStarts(each(
    ["you", "you'll", "we", "we'll", "i", "i'll", "someone", "anyone", "a person", "an engineer", "your team"],
    r"\s+(?:(?:can|could|will|would|should|may|might|usually|often|just)\s+)*(?:answer|reply|respond|read|review|skim|"
    r"check|spot|fix|write|edit|update|set\s+up|configure|explain|decide|see|notice|find|label|annotate|clean|learn|switch|"
    r"swap|change)\b[^.!?\n]{0,40}?\b(?:in|within)\s+(?:about|around|roughly|under|less than|~)?\s*$"))
RECURRING_AFTER = re.compile(
    r"^\s*(?:per|a|an|each|every|/)\s*(?:month|year|week|day|user|seat|request|query|call|(?:1k|1m|million|thousand|1,000)\s+"
    r"tokens?|token|api call|mo|yr)\b|^\s*(?:monthly|yearly|annually|per-month)\b", re.I)
RECURRING_IN = re.compile(r"(?:per|a|an|each|every|/)\s*(?:month|year|week|user|seat|request|query|mo|yr|"
                           r"(?:1k|1m|million|thousand)\s+tokens?)$", re.I)
INFERENCE = WordStarts(each(["inference", "serving", "served", "generation", r"generates?", "generating", r"decod\w*", "latency",
                                "at runtime", r"chat responses?", r"answers? users"], r"\b"))
ARTICLE_UNIT = re.compile(r"^(?:a|an|per|each|every)\s+(?:second|minute|hour|day|week|month|year)$", re.I)
PERIOD_BEFORE = re.compile(r"(?:\bsaved|\bsaves|\bcosts?|\bearns?|\bbills?|\$\s?[\d.,]+[kKmM]?|\b[\d.,]+\s*(?:dollars|usd|"
                            r"hours?|hrs?|minutes?|mins?|gb|tokens?|requests?|examples?)"
                            r"|\b(?:a|one|two|few|couple of|the)\s+(?:dollars?|bucks?|euros?|cents?|quid)"
                            r"|\b(?:runs|jobs|times|experiments|requests|calls|queries|users|sessions|messages|tickets|"
                            r"emails|deploys|releases|builds|iterations|ideas|attempts|tries|changes|clients|customers|models|projects|teams))\s*$",
                           re.I)
HOURLY_BEFORE = re.compile(
    r"(?:\bper\s+(?:gpu\s+)?(?:per\s+)?(?:hour|hr)|\bhourly(?:\s+(?:rate|price|cost))?|\bper-hour|/h(?:ou)?r)\b"
    r"(?:\s+(?:is|are|of|at|runs?|costs?|comes?\s+to|around|about|roughly|~))*\s*$", re.I)
RATE_NOUN_AFTER = re.compile(r"^\s*(?:[a-z-]+\s+)?(?:hourly\s+)?rate\b", re.I)
SAVED_AFTER = re.compile(r"^\s*(?:saved|of savings|back|freed up|recovered|(?:per|a|each|every)\s+(?:week|month|year)|"
                          r"weekly|monthly|yearly|annually)\b", re.I)
PER_STEP_AFTER = re.compile(
    r"^\s*(?:per|a|an|each|every|/)\s*(?:step|iteration|it|batch|token|request|query|example|sample|item|call|response|"
    r"forward pass|checkpoint save)\b", re.I)
PER_STEP_BEFORE = WordStarts(
    each(["each", "every", "per", "one", "a single"],
          r"\s+(?:training\s+)?(?:step|iteration|batch|forward pass|request|query|call|token)\b[^.;,\n]{0,20}$")
    + each(["latency", "response time", "time to first token", "ttft"], r"\b[^.;,\n]{0,20}$"))
ADJ_DURATION = re.compile(r"^\d[\d.,]*[- ](?:second|minute|min|hour|hr|day|week|month)$", re.I)
RUN_NOUN_AFTER = re.compile(r"^[ \t]+(?:training\s+|fine-tuning\s+|fine-tune\s+|gpu\s+)?(?:run|job|training|fine-tune|"
                             r"fine-tuning|epoch|pass|window|reservation|rental)s?\b", re.I)
NOT_VRAM = WordStarts(each(
    ["disk", "storage", "ssd", "nvme", "on disk", "file size", r"files?", "download", "upload", "system ram", "cpu ram",
     "gguf", r"exports?", "exported", r"q[2-8](?:_k\w*)?", "llama.cpp", "ollama", "to serve", "serving", r"inference (?:server|memory)",
     "host memory", "system memory", "cpu memory", "ram", r"checkpoints? (?:is|are|takes?|weighs?|of)", "checkpoints",
     r"adapters? (?:of|weighs?|files?)", r"adapters? (?:is|are|take|takes) (?:tiny|small|only|just|about|around|roughly|under|on the order of|a few|~|\d)",
     r"adapter weights (?:of|is|are|weigh|take)", "bucket", "s3",
     "kv cache", "kv-cache", "per user", "per concurrent user"], r"\b"))
# an adapter's size anywhere in the sentence: "The trainable adapters are tiny, on the order of 100-200 MB"
ADAPTER_SIZE_IN = WordStarts([r"adapters? (?:of|weighs?|files?)\b", r"adapter (?:file|size|weights)\b",
                              r"adapters? (?:is|are|take|takes) (?:tiny|small|only|just|about|around|roughly|under|on the "
                              r"order of|a few|~|\d)"])
EACH_AFTER = re.compile(r"^\s*(?:each|apiece|per (?:gpu|card|device|instance)|a (?:gpu|card))\b", re.I)
HOURLY = re.compile(r"\b(?:hour|hourly|hr|gpu[- ]?hours?)\b|/\s*h\b", re.I)
BOOKING_BEFORE = WordStarts(each([r"reserved?", "reserving", r"rent(?:ed|ing)?", r"book(?:ed|ing)?", r"leased?", "leasing"],
                                   r"\b[^.;:!?\n]{0,30}?\bfor\s+(?:\w+\s+)?$"))
NOT_RUN_AFTER = re.compile(r"^\s*(?:into|ago|old|later|earlier|of\s+(?:lost\s+)?(?:progress|work))\b|"
                            r"^,?\s*(?:not|rather than|instead of)\s+(?:the\s+)?(?:whole|entire|full)\s+(?:run|job|training)\b|^\s+in\b(?=\s*[,.;:)]|\s+(?:and|before|then|when|but)\b)", re.I)
MONITORING = WordStarts(each(
    ["alert", "alarm", r"timeouts?", r"time-?out", r"no new (?:step|log|checkpoint)s?", r"stall(?:s|ed)?", r"hangs?", "idle",
     "heartbeat", "watchdog"], r"\b"))
SIDE_RUN = WordStarts(each(
    [r"smoke[- ]test", r"test (?:run|job)", "pilot", r"dry[- ]run", "on purpose",
     r"before (?:the|any|a|your) (?:real|main|full|long|big) (?:run|job|training)",
     "toy", "dummy", "quick test", r"sanity[- ]check", "start a job", r"kill (?:it|the job|a job)",
     # a few steps on purpose: "train 10 steps", "benchmark 100 steps at micro-batch 2, 4 and 8"
     *(rf"{verb}\b[^.!?\n\d]{{0,30}}?\b\d{{1,3}}\s+(?:training\s+)?steps"
       for verb in ("train", "run", "benchmark", "profile", "test", "try"))],
    r"\b"))
RUN_CUE = WordStarts(
    each([r"takes?", "took", "taking", r"finish(?:es|ed)?", r"complete[sd]?", r"run ?time", r"wall[- ]?(?:clock)?", "eta",
           r"lasts?", "will run", "would run", "should run", r"runs? for", "done in", "training time", "progress bar",
           "estimated", r"epochs?", r"gpu[- ]hours?", r"costs?", "bill", r"charged?", r"price[sd]?"], r"\b")
    + each(["the", "this", "that", "a", "one", "whole", "full", "entire", "each"],
            r"\s+(?:training\s+|fine-tuning\s+)?(?:run|training|job|fine-tune|fine-tuning)\b"))
NEGATED_BEFORE = re.compile(r"(?:\bnot|n't|\brather than|\binstead of|\bfar from|\bnever|\bnowhere near|\bnot even)\s+$", re.I)
REFUTED_AFTER = re.compile(
    r"^[^.;\n]{0,25}?\b(?:is|are|was|were|seems?|sounds?|looks?)\s+(?:\w+\s+){0,2}?(?:too\s+(?:low|high|small|large|short|"
    r"long|slow|fast|optimistic|pessimistic|little|much|cheap|expensive|tight)|wrong|off|unrealistic|incorrect|mistaken|"
    r"not\s+(?:enough|realistic|possible|right|correct))\b",
    re.I,
)
# -- tokens: a sequence length or a per-example figure is not a dataset size
SEQ_TOKENS_MAX = 1e5
# what a token count right before these nouns measures: "a 256k-token vocabulary", "a 128k-token context window"
SEQUENCE_NOUN_AFTER = re.compile(
    r"^[\s-]*(?:vocab(?:ular(?:y|ies))?|context(?:\s+window)?|window|sequences?|prompts?|inputs?|limit)\b", re.I)
PER_ITEM_AFTER = re.compile(
    r"^\s*(?:each|apiece|per\s+(?:example|sample|item|record|row|conversation|ticket|document|doc|pair|prompt|response|"
    r"sequence|turn|message|batch|step|chunk|answer|question))\b|" + SEQUENCE_NOUN_AFTER.pattern, re.I)
# a token count that is the size of one training example ("3,000 tokens each", "~900 tokens per pair")
PER_EXAMPLE_AFTER = re.compile(r"^\s*(?:each|apiece|on average|per\s+(?:example|sample|item|record|row|conversation|ticket|"
                               r"document|doc|pair|email|article|transcript|dialogue))\b", re.I)
PER_EXAMPLE_BEFORE = re.compile(r"\b(?:each|every\s+(?:example|pair|document|record))\s+(?:is\s+|of\s+)?"
                                r"(?:about|around|roughly|approximately|~|≈)?\s*$", re.I)
SEQ_CUE_BEFORE = re.compile(r"\b(?:context|sequence|seq(?:uence)?[ _-]?len(?:gth)?|max[ _-]?len(?:gth)?|window|length)\s+"
                             r"(?:of\s+|to\s+|is\s+|like\s+|such as\s+)?$", re.I)
# (not "1.3M tokens for/over 5 epochs": that is usually the dataset, trained on for 5 epochs)
TOTAL_AFTER = re.compile(
    r"^[^.;\n]{0,14}?\b(?:in total|total|processed|overall|altogether|(?:over|across|for|in)\s+all\s+(?:the\s+)?"
    r"(?:\d+\s+|two\s+|three\s+|four\s+|five\s+|six\s+|several\s+)?epochs)\b", re.I)
MULTI_EPOCH = WordStarts(
    each(["over", "across", "for", "in"], r"\s+(?:all\s+)?(?:the\s+)?(?:[2-9]|\d\d+|two|three|four|five|six|seven|eight|"
                                           r"nine|ten|several|multiple|all)\s+(?:epochs|passes)\b")
    + each(["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "several", "multiple"],
            r"\s+(?:epochs|passes)\s+(?:over|through|of)\b")  # "three passes over 10,000 emails is 23M tokens"
    + [r"in total\b"])
# -- memory: capacity of a card, one component, per GPU
REQ_BEFORE = WordStarts(each(
    [r"needs?", "needed", "needing", r"requires?", "required", "requiring", r"uses?", "used", "using", r"consumes?", r"takes?", r"peaks? at",
     r"comes? to", "come to", r"bring(?:s)? it to", r"push(?:es)? it to", r"hits?", r"reach(?:es)?", "is", "are", r"totals?",
     r"put(?:s)? (?:the run|it) at"],
    r"\s+(?:(?:only|just|about|around|roughly|approximately|at least|at most|up to|over|under|nearly|almost|~)\s*)*$"))
# a GPU's capacity named just before a memory figure ("a card with 24 GB", "fits on your 24 GB"):
# the phrases after a word start, plus "'s" (which has no word start before it)
CAPACITY_TAIL = r"\s+(?:only\s+|just\s+|full\s+)?$"
CAPACITY_BEFORE = WordStarts(each(
    ["has", "have", "having", "with", r"of (?:your|the|its|their|a|an|our|my)", r"gb of", r"gigs? of", r"gib of", "inside", "onto",
     "into", r"fits? (?:in|on|into|within)", r"on (?:a|an|your|the|one|their|our|my)", r"under (?:the|your|a)",
     r"below (?:the|your)", r"within (?:the|your|a)"], CAPACITY_TAIL))
# "the card's 24 GB", not "that's 24 GB" / "it's 24 GB" (a contraction of "is")
CAPACITY_POSSESSIVE = re.compile(
    r"(?<!\bthat)(?<!\bit)(?<!\bwhat)(?<!\bthere)(?<!\bhere)(?<!\bwho)(?<!\bhe)(?<!\bshe)(?<!\bthis)['’]s" + CAPACITY_TAIL,
    re.I)
CAPACITY_AFTER = re.compile(r"^\s*(?:of\s+(?:vram|memory)\s+)?(?:cards?|gpus?|devices?|instances?|per card|each)\b", re.I)
# "leave 15 GB free on GPU 0", "keep 2 GB of headroom"
HEADROOM_VERBS = frozenset({"leave", "leaves", "leaving", "keep", "keeps", "reserve", "reserves", "reserving", "about", "around",
                             "roughly", "least", "~"})
HEADROOM_AFTER = re.compile(r"^\s*(?:of\s+(?:vram|memory|gpu memory)\s+)?(?:free|spare|unused|of\s+headroom|headroom|to\s+spare)\b", re.I)
HEADROOM_BEFORE = re.compile(r"\b(?:leave|leaves|leaving|keep|keeps|reserve|reserves|reserving)\s+(?:(?:about|around|roughly|at least|~)\s*)?$", re.I)
PARTS = (r"(?:weights?|gradients?|grads|optimi[sz]er states?|optimi[sz]er|adam(?:w)?\s+states?|activations?|logits|"
         r"reference\s+(?:model|copy))")
COMPONENT_AFTER = re.compile(
    rf"^\s*(?:of|for|in)\s+(?:the\s+|its\s+|their\s+)?(?:(?:bf16|fp16|fp32|16-bit|4-bit|8-bit|nf4|int4|int8|quantized|sharded|"
    rf"frozen|base|model|full-precision|half-precision|master|adamw?)\s+)*(?P<parts>{PARTS}(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+|"
    rf"\s+plus\s+)(?:the\s+)?(?:{PARTS}|adapters?))*)",
    re.I,
)
COMPONENT_BEFORE = re.compile(
    rf"\b(?P<parts>{PARTS})\b(?:\s+of\s+(?:an?|the|your)\s+[\w.\-]+(?:\s+[\w.\-]+)?(?:\s+model)?)?(?:\s+alone)?\s+"
    rf"(?:is|are|take|takes|need|needs|come to|comes to|of|at|use|uses|require|requires|weigh|weighs|total|totals|add|adds)\s+$",
    re.I,
)
# "gradients (about 2 GB)", "two AdamW moments in fp32 (about 8 GB)": a component named just before a parenthesis
SUBPARTS = r"(?:(?:adam(?:w)?\s+|optimi[sz]er\s+)?moments?|master\s+(?:copy|weights?))"
COMPONENT_PAREN = re.compile(
    rf"\b(?P<parts>{SUBPARTS}|{PARTS})\b[^().;:!?\n]{{0,30}}\(\s*(?:about|around|roughly|approximately|~|≈)?\s*$", re.I)
# Bytes per parameter of the weights stored in a named format (the formats' definitions; 4-bit
# adds its quantisation constants on top, covered by the 15% margin in _target).
PRECISION_BYTES = (("fp32", 4.0), ("full-precision", 4.0), ("float32", 4.0), ("bf16", 2.0), ("fp16", 2.0), ("16-bit", 2.0),
                    ("half-precision", 2.0), ("float16", 2.0), ("int8", 1.0), ("8-bit", 1.0), ("nf4", 0.5), ("int4", 0.5),
                    ("4-bit", 0.5))
PRECISION_RE = re.compile(r"\b(?:" + "|".join(re.escape(k) for k, _ in PRECISION_BYTES) + r")\b", re.I)
# a figure over several runs: "Training runs (3 iterations)", "all three attempts"
COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
               "eleven": 11, "twelve": 12, "a dozen": 12, "both": 2}
RUN_COUNT = re.compile(r"\b(?P<n>[2-9]|[1-9]\d|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a dozen|both)\s+"
                       r"(?:training\s+|fine-tuning\s+|full\s+|monthly\s+|weekly\s+)?"
                        r"(?:runs|iterations|attempts|rounds|retrains|experiments|jobs)\b", re.I)
PART_KEYS = (("reference", "reference model"), ("weight", "weights"), ("grad", "gradients"), ("optimi", "optimizer states"), ("adam", "optimizer states"), ("activation", "activations"),
              ("logit", "logits"), ("moment", "optimizer states"), ("master", "optimizer states"))
# Adam's moments (8 of the 12 bytes per parameter) and the fp32 master copy (4 of 12) are parts of
# the optimizer states: checked against [a third of the optimizer states' low, their high].
SUBPART_RE = re.compile(r"moment|master", re.I)
# a duration conditioned on a stated throughput ("At 3k tokens per second it would take ~7 hours")
AT_RATE = re.compile(r"\bat\s+(?:about\s+|around\s+|roughly\s+|only\s+|~\s*)?(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<k>[kK])?\s*"
                      r"(?:tokens?|tok)\s*(?:/\s*|per\s+)(?:s|sec|second)\b", re.I)
PER_GPU_AFTER = re.compile(r"^\s*(?:of\s+[\w-]+\s+)?(?:per|on each|on every|for each|each|/|a)\s*(?:gpu|card|device|rank)\b", re.I)
PER_GPU_BEFORE = re.compile(r"\b(?:each|every|per)\s+(?:gpu|card|device|rank)\s+(?:holds?|needs?|uses?|gets?|has|keeps?)\s+$", re.I)
DATASET_AFTER = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(?:subset|sample|slice|corpus|dataset|data\s*set|of (?:text|data|raw text|"
                            r"documents|contracts|reports|notes|logs|code))\b", re.I)

PRETRAINING = WordStarts([r"pre-?training\b", r"from scratch\b"])
QUANTIZED = WordStarts(each(["4-bit", "4 bit", "4bit", "nf4", "qlora", "quantized", "quantised"], r"\b"))
LORA_METHOD = WordStarts(
    [r"lora\b(?![ -](?:adapters?|rank|weights|layers|modules|params|parameters|matrices|config|settings))"])
ONE_GPU = WordStarts(each(["one", "single", "1x", "1 x", "a lone"], r"\b"))
METHODS = {
    "qlora": "qlora", "4-bit": "qlora", "4bit": "qlora", "nf4": "qlora", "lora": "lora", "peft": "lora",
    "full": "full", "full fine-tune": "full", "full-ft": "full", "pretraining": "pretraining", "pretrain": "pretraining",
    "dpo": "dpo", "dpo-full": "dpo-full", "dpo-lora": "dpo-lora", "dpo-qlora": "dpo-qlora",
}

# -- the claim's own words, sentences and clauses
# the qualifier words a claim's span starts with ("over USD 100", "about 12 hours")
LEAD = re.compile(r"^(?:(?:about|around|roughly|approximately|approx\.?|over|under|above|below|more than|less than|"
                   r"at least|at most|up to|nearly|almost|just|only|some|usd|eur)\b\s*|[~≈<>]\s*)*", re.I)
APPROX_WORDS = re.compile(r"(?i:\b(?:about|around|roughly|approximately|approx\.?|some|nearly|almost|just|only|"
                           r"usd|eur|gbp)\b|~|≈)")
# a sentence end: . ! ? or a newline, then space ("i.e. " is none); the mark first, so sre can skip to candidates
SENT = re.compile(r"(?:[!?\n]|\.(?<!\bi\.e\.)(?<!\be\.g\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bapprox\.)(?<!\bca\.))(?:(?<=\n)|(?=\s))")
CLAUSE_END = re.compile(r"[.!?;:,()\n|](?:(?<=[)\n])|(?=\s))")  # a table cell is a clause
# -- tables
# a column header that names only the measure ("Cost", "Est. total (USD)"), not what is measured
MEASURE_ONLY = re.compile(r"^[\W_]*(?:(?:est(?:imated)?|approx(?:imate)?|total|costs?|price|amount|spend|usd|budget|"
                           r"estimate|\$|in|of|\(|\))[\W_]*)+$", re.I)
TOTAL_LABEL = re.compile(r"^[\W_]*(?:grand\s+)?total[\W_]*$", re.I)
# -- other runs and other things than the run
# a number a hypothetical target would need: "Finishing in 20 minutes would require something like 190k tokens/s"
HYPOTHETICAL_BEFORE = re.compile(
    r"\b(?:to\s+finish|finishing|to\s+be\s+done|to\s+get\s+(?:it|this)\s+done|to\s+hit|to\s+meet|to\s+fit\s+(?:it\s+)?in)\b"
    r"[^.;:!?\n]{0,60}?\b(?:would|'d|will)\s+(?:require|need|take|mean|have\s+to\s+be)\b[^.;:!?\n]{0,30}$", re.I)
# an earlier run than the planned one: "last month's SFT pass", "my last attempt (...) took 40 minutes"
PAST_RUN = WordStarts(
    each(["last", "previous", "prior", "earlier", "past", "old"],
         r"(?:\s+\w+(?:'s)?){0,3}?\s+(?:runs?|jobs?|attempts?|pass(?:es)?|fine-?tunes?|trainings?|experiments?)\b")
    + each(["last", "this past"], r"\s+(?:week|month|quarter|year|time)(?:'s)?\b")
    + [r"ago\b", r"your\s+(?:\w+\s+){0,3}?(?:run|job|pass)\s+(?:processed|took|cost|used|ran)\b"])
# money spent on something other than compute: "the $8,000 you spent on annotation"
OTHER_SPEND_AFTER = re.compile(
    r"^\s*(?:you|we|they|i|the team)?\s*(?:already\s+)?(?:spent|spend|paid|pay|put)\s+(?:on|for|into)\s+"
    r"(?!(?:the\s+|your\s+)?(?:compute|gpus?|training|the run|cloud|rentals?|instances?)\b)", re.I)
# buying hardware: "A new 4090 costs well over $1,500"
PURCHASE_IN = WordStarts(
    [r"buy(?:ing)?\b", r"bought\b", r"purchas\w*", r"msrp\b", r"retail\b", r"street price\b", r"card price\b",
     r"new\s+(?:\w+\s+){0,2}?(?:card|gpu|workstation|server|rtx\s*\d{4}\w*|\d{4}\w*|[ahl]\d{2,3}s?)\s+costs?\b"])
# a price charged to clients: "Bill a flat $75 fee per client"
CLIENT_FEE_IN = WordStarts(
    [r"fees?\b", r"charge (?:the |your |each )?(?:clients?|customers?)\b",
     r"bill (?:a|the client|your clients?|each client)\b", r"invoice (?:the |your )?(?:clients?|customers?)\b"])
# a price for a whole machine ("node time is charged at $26/hour"): per GPU it is that over the GPU count
NODE_PRICE_IN = WordStarts([r"nodes?\b", r"servers?\b", r"machines?\b", r"boxe?s?\b", r"whole (?:instance|box)\b"])
# -- memory components: a sum that ends with one, an item label that names them
# a memory figure for a sum that merely ends with a component: "the policy and reference together plus
# chosen/rejected activations come to about 26-33 GB"
SUM_BEFORE = re.compile(r"\b(?:together|plus|in total|all told|altogether|combined|everything)\b", re.I)
# an item label that names memory components only: "**Gradients**:", "**Activations and logits**:"
LABEL_PARTS = re.compile(
    rf"^\W*(?:(?:the|policy|model|bf16|fp32|frozen|base|full)\s+)*(?P<parts>{PARTS}(?:\s*(?:,|and|\+|&)\s*{PARTS})*)\W*$", re.I)
