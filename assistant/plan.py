"""What a question asks, as a typed plan: its parts, each with an intent and slots, the premises
the law contradicts, and — for a follow-up — what it inherits from the previous turn.

The plan only reads the question; which law answers it lives in ``assistant/law/data``. Patterns
here recognise how people ask (casual wording, typos, pasted Unicode), never what the law says.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from aiact.corpus.provision import AMENDING, CODE, GUIDELINES, OMNIBUS_IN_FORCE
from assistant.patterns import compiled
from assistant.references import find_references, point_in_time

ORIGINAL = re.compile(r"\boriginal(?:ly)?\b.{0,20}\b(?:2024|dates?|deadlines?|text|wording|version|time ?table|time ?line|schedule|plan)\b|"
                      r"\b2024 (?:date|deadline|text|wording|version)\b", re.I)

INTENTS = ("deadline", "classification", "obligations", "penalty", "definition", "text", "soft_law",
           "scope", "comparison", "not_held", "off_topic", "other")
ACTORS = {  # the actor as the obligations data names it → how questions name it
    "provider": r"providers?|developers?|(?:we|i) (?:build|develop|make|sell|train)|"
                # "we want to put our LLM on the EU market": whoever places it on the market
                r"(?:we|i)\b(?:[^.?!]{0,40}?\b(?:want|plan|intend|going|like|need))? to (?:put|place|release|launch|bring) "
                r"(?:our|my|the|an?|it|them)\b[^.?!]{0,40}?\bon(?:to)? the (?:eu |union |european )?market",
    # "we use", and "we're a staffing agency using a high-risk CV screener" (not "we're building
    # an app using an LLM": whoever builds is the provider)
    "deployer": r"deployers?|(?:we|i) (?:use|deploy)|users? of (?:a|the) (?:high-risk )?(?:ai )?system|"
                r"(?:we|i)(?:'re| are|'m| am|'ve been| have been) (?:(?!build|develop|mak|train|sell|creat|offer|provid|design|writ|cod)[\w-]+ ){0,4}?"
                r"(?:using|deploying|operating|rolling out|putting into service) (?:an?|the|our|this|that|some|[\w-]+)\b|"
                # "our school wants to use AI to grade essays", "we plan to deploy …"
                r"(?:we|i|our (?!(?:ai|model|system|tool|app|product|software|platform)\b)[\w-]+) (?:want|wants|plan|plans|intend|intends|would like|are going|is going|'d like|hope|hopes)"
                r" to (?:use|deploy|roll out|introduce|adopt|buy)\b|"
                # "if I publish an AI-generated deep fake video …": whoever puts the content out uses
                # the system (not "we publish our model/app": that is a provider releasing it)
                r"(?:we|i) (?:publish|post|broadcast|air|upload)\b(?![^.?!]{0,30}\b(?:models?|weights|apps?|tools?|systems?|software|code|api|llms?)\b)",
    "importer": r"importers?|(?:we|i) import",
    "distributor": r"distributors?|resellers?|(?:we|i) (?:resell|distribute)",
    # "do we need someone based in the EU?": a person the provider outside the Union appoints there
    "authorised representative": r"authori[sz]ed representatives?|eu representative|representative in the (?:eu|union)|"
                                 r"\b(?:eu|european|union)[- ](?:based )?(?:reps?|representatives?|legal representatives?)\b|"
                                 r"\b(?:someone|somebody|anyone|anybody|a person|an? (?:legal )?(?:entity|rep|representative|contact(?: person)?))"
                                 r" (?:based|established|located|resident|sitting|present) in (?:the )?(?:eu|union|europe)\b",
    "product manufacturer": r"product manufacturers?|manufacturers?",
}
CATEGORIES = {
    "gpai-systemic-risk": r"systemic[- ]risk",
    "gpai": r"\bgpai\b|general[- ]purpose (?:ai )?models?|foundation models?|\bllms?\b|(?:large )?language models?|"
            r"(?:ai )?model providers?|providers? of (?:an? |the |our )?(?:ai )?models?",  # the Act's providers of models are GPAI's
    "article-50": r"article 50\b|transparen\w*|chatbots?|bots?|deep ?fakes?|label\w*|disclos\w*|watermark\w*|"
                  r"tell (?:users|people|customers|visitors)|(?:say|disclose|tell)\w* .{0,20}\b(?:it'?s|it is) (?:an? )?ai\b|"
                  r"generat\w* (?:images?|content|text|video|audio)|emotion recognition|"
                  # a disclaimer on AI-made content is the disclosure Article 50 asks for
                  r"disclaimers?|\bai[- ](?:written|generated|made|created) (?:text|content|images?|videos?|audio|posts?|articles?|press releases?|copy)",
    "high-risk": r"high[- ]?risk|annex iii|annex i\b",
}
_I = re.I
DEADLINE = re.compile(
    r"\b(?:from when|since when|by when|until when|what date|which date|deadlines?|time ?line|time ?table|schedule|"
    r"how long (?:till|until|til|is left|do we have left)|how (?:much time|many (?:days|weeks|months|years)) (?:till|until|left)|"
    r"key dates|important dates|main dates|roadmap|transition\w*|grace period|phase[- ]?in(?: period)?|run[- ]?in period|"
    r"(?:how much|enough|more) time (?:do (?:we|i) (?:have|get) )?to comply|"
    r"postpone\w*|delay\w*|appl(?:y|ies|ied)\s+(?:from|since)|kick in|in force|already appl\w*|"
    # "so the annex III stuff is pushed to december 2027?": a date claimed for the subject
    r"(?:pushed|moved|shifted|deferred|extended|put off|pushed back|moved back)\s+(?:back\s+)?(?:to|until|till|into)\s+(?:\d{1,2}\s+)?"
    r"(?:jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|20\d\d)|"
    r"still appl\w*|apply yet|(?:do|does|will) (?:we|i|they|it|you) (?:get|have) until)\b|"
    # "which obligations apply today?", "what is already in force now?": the stages on the day asked
    r"\b(?:appl(?:y|ies)|applicable|in force|in application)\b(?: \w+){0,3}? (?:today|right now|now|currently|"
    r"at the moment|as (?:of|at) (?:today|now|\d{1,2} \w+ 20\d\d))\b|\bcurrently (?:appl\w*|in force)\b|"
    r"\b(?:date|day)\s+(?:from|on|by|until)\s+which\b|"  # "the general date from which the Act applies"
    r"^\W*when (?:must|should|shall) (?:we|i|you|they|companies|providers|deployers|employers|businesses)\b|"  # "When must we train our staff?"
    r"\b(?:when|wen)\b.*\b(?:live|effective|enforceable)\s*\W*$|"  # "when r the prohibitions live"
    r"\b(?:when|wen)\b.*\b(?:appl(?:y|ies|ied|ying|icable)|aply|start\w*|begin\w*|enter\w*|take effect|kick in|into force|operational|due|"
    r"compl\w*|ready|in place|set up|implemented|fin(?:e|ed|ing)(?![- ]?tun)|in force|postpone\w*|delay\w*)\b|"
    # "wen does emotion AI at work become banned?", "when will it be mandatory?": the day a status begins
    r"\b(?:when|wen)\b.*\b(?:becom\w*|gets?|go(?:es)?|turns?|will (?:\w+ ){0,6}?be)\s+(?:officially |fully |legally )?"
    r"(?:banned|prohibited|illegal|unlawful|forbidden|mandatory|compulsory|required|binding|enforceable|applicable|enforced)\b|"
    r"\b(?:appl\w*|aply|compl\w*|fines?(?![- ]?tun))\b.*\bfrom when\b|\bfrom when\b|\bwhen\s*\W*\?\s*$", _I)
PENALTY = re.compile(r"\bwhat (?:happens|happen|are the consequences|is the risk)\b.{0,30}\b(?:if|when)\b.{0,40}\b(?:ignore|break|breach|violate|miss|"
                     r"(?:are|aren'?t|are not|were|'re) (?:not )?(?:ready|late|compliant)|non-?compliant|(?:fail|don'?t manage) to meet|"
                     r"infring\w*|(?:do not|don'?t|doesn'?t|does not|fail to|won'?t) comply)\w*|\bconsequences? of (?:non-?compliance|breaking|breaching|ignoring)\b|"
                     r"\b(?:(?<!is )(?<!are )(?<!be )(?<!'s )(?<!'re )(?<!am )fine(?![- ]?tun)(?!, right)|fine[ds](?![- ]?tun)|fining|penalt\w*|sanction\w*|how much .* (?:pay|risk)|turnover)\b|"
                     # the words of the fines' own formula ("would the whichever-is-lower rule help us?")
                     r"\bwhichever[- ](?:is[- ]|thereof[- ]is[- ])?(?:lower|higher)\b",
                     _I)  # not 'fine-tunes' (a model), which is no fine
OBLIGATIONS = re.compile(
    r"\bwhat (?:does|do|would|will) (?:the )?(?:eu )?(?:ai act|act|law|regulation)s? (?:require|demand|expect|ask)\b|"
    r"\b(?:obligations?|duties|duty|requirements?|must|have to|has to|need to|needs to|required to|"
    r"responsibilit\w*|what (?:do|does|must|should) .* do|what (?:do|does) (?:we|i) (?:need|have to do) (?:first|before\b|beforehand)|do(?:es)? (?:we|i|(?:our |my |the |an? |this |that )?[\w-]+(?: [\w-]+){0,2}) (?:still |really |also )?need (?:an?|the|to|someone|somebody|anyone|anybody|(?!to\b)[\w-]+ (?:marking|registration|assessment|certificate|declaration|documentation|logs?|labels?|approval)\b)|supposed to (?:tell|inform|label|disclose|register|do|mark|notify|report)|"
    r"\b(?:needed|required|mandatory|compulsory|obligatory)\s*(?:\?|$|for\b|if\b|when\b|by\b|in\b)|"
    # "what checks do we need before we sell it?": the steps a duty consists of, asked by name
    r"\bwhat (?:checks?|steps?|paperwork|verifications?) (?:do|does|must|should|would) (?:we|i|you|they|[\w-]+s) (?:need|have|do|carry out|make|perform|run)\b|"
    # "which high-risk systems need a FRIA?": who must carry out a duty named after the verb
    r"^\W*(?:which|what) (?:[\w-]+ ){0,4}?(?:systems?|deployers?|providers?|companies|bodies|operators?|models?) (?:need|needs|require|requires|must (?:have|do|carry out|perform)) (?:an? |the |to )|"
    r"(?:extra|additional|more|other|special) (?:stuff|things|work|rules|steps|homework)|(?:stuff|things|anything|something) (?:extra |else |more )?(?:to do|(?:we|i) (?:need|have) to do))\b", _I)
# A question whose verb asks for a specific duty is about that duty, whatever tier it names.
DUTY_ASKED = re.compile(
    r"^\W*(?:do(?:es)?|must|should|shall|will|would) (?:we|i|you|they|(?:the |our |my )?(?:providers?|deployers?|company|companies))"
    r" (?:still |also |then |really )?(?:need|have|got) to (?:register|document|notify|report|inform|label|disclose|"
    r"appoint|keep|mark|watermark|carry out|perform|do an?)\b", re.I)
TIER = r"(?:high[- ]?risk|prohibited(?: ai)?(?: practices?)?|banned|forbidden|allowed|legal|lawful|permitted|ok|okay)"
NOW = r"(?:\s+(?:yet|now|already|still|anymore|today))?"  # "banned yet?": the tier on the day asked
# "Is X a high-risk AI system?": the tier named as what X is (not "… required for a high-risk AI system?")
TIER_NOUN = (r"(?:^|[.!?;:]\s+)\W*(?:is|are|would|will|could)\b.*(?<!\bfor )(?<!\bto )(?<!\bof )(?<!\bwith )(?<!\bin )(?<!\bon )(?<!\bby )"  # whole words: "depression a high-risk system"
             r"\b(?:an?|one) (?:high[- ]?risk|prohibited) (?:ai )?(?:[\w-]+ ){0,2}?(?:systems?|practices?|uses?|tools?|applications?|apps?)\s*(?:\?|$|under\b|because\b|since\b|just because\b|only because\b)|"
             # "Is that prohibited emotion recognition?": the practice named by its tier
             r"(?:^|[.!?;:]\s+)\W*(?:is|are) (?:that|this|it|they|these) (?:high[- ]?risk|prohibited|banned) (?:[\w-]+ ){0,2}?"
             r"(?:recognition|identification|categori[sz]ation|scoring|surveillance)\s*(?:\?|$)")
CLASSIFY = re.compile(
    rf"^\W*(?:is|are|would|will|could|can|does|do)\b.*\b{TIER}{NOW}\s*(?:\?|$|under\b|in the\b|according\b|by\b)|{TIER_NOUN}|"
    # "is it high risk or just transparency?": the tier asked between two
    rf"\b(?:is|are|would|will|could) (?:[\w-]+ ){{1,6}}?(?:be )?{TIER} or (?:just |only |merely |simply )?"
    r"(?:transparency|limited|minimal|low[- ]risk|not|fine|ok|okay|prohibited|banned|allowed|[\w-]+ risk)\b[^?]{0,30}\?\s*$|"
    rf"\b{TIER}\s*\W*\?\s*$|\btreat\w* (?:it |this )?as {TIER}|\b{TIER},? or not\b|"
    # "Our tool converts scanned CVs into fields. Is it high-risk under Annex III point 4?", "… is that
    # high-risk biometrics under annex III??": the tier asked in a sentence of its own after a description
    rf"(?:^|[.!?;:–—]\s*|\s-\s+)\W*(?:so |and |but )?(?:is|are|would|will|could)\s+(?:it|this|that|they|these|those|we|our [\w-]+)\b"
    rf"[^.?!]{{0,40}}?\b{TIER}{NOW}(?:\s+[\w'‘’-]+)?\s*(?:\?|$|under\b|in the\b|according\b|by\b|like\b|as\b|because\b)|"
    # "Prohibited under Article 5?", "allowed?": the tier alone, asked after the description
    rf"(?:^|[.!?;:]\s+)\W*{TIER}\s+(?:under|by|in)\b[^?.!]{{0,60}}\?\s*$|"
    # "Is that caught by the ban on real-time remote biometric identification?", "any AI Act problem?"
    r"\b(?:caught|covered|hit|affected) by (?:the |a |any |this )?(?:[\w-]+ ){0,3}?(?:bans?|prohibitions?)\b|"
    r"\bany (?:ai act |legal |regulatory )?(?:issues?|problems?|concerns?|red flags?)\b[^?]{0,40}\?\s*$|"
    # "can i use ai to screen cvs?", "am I allowed to sell …": asking whether a use is permitted
    r"^\W*(?:can|may|could) (?:i|we|my company|our company|an? (?:company|employer|school|shop)|(?:the )?companies|employers?|schools?|shops?|"
    r"(?:a |the )?(?:[\w-]+ )?(?:banks?|insurers?|landlords?|retailers?|platforms?|police|law enforcement|authorit(?:y|ies)|agenc(?:y|ies)|"
    r"governments?|councils?|cit(?:y|ies)|municipalit(?:y|ies)|hospitals?|doctors?|universit(?:y|ies)|teachers?|"
    r"recruiters?|hr|border (?:guards?|authorit(?:y|ies))|courts?|judges?)) "
    r"(?:still |legally )?(?:use|deploy|sell|build|run|offer)\b(?!.*\b(?:when(?!\s+\w+ing\b)|fines?|deadlines?)\b)|"
    r"^\W*(?:am i|are we) (?:still )?allowed to\b|"
    # "can an AI exploit elderly people's vulnerabilities to sell products?": whether a system may do it
    r"^\W*(?:can|may|could) (?:an? |the )?(?:ai|ai systems?|system|app|tool|chatbot|algorithm|software|model)s? "
    r"(?!office\b|act\b|board\b|literacy\b|regulation\b|model providers?\b)(?:legally |be used to )?[a-z]+\b(?!.*\b(?:when(?!\s+\w+ing\b)|fines?|deadlines?)\b)|"
    # "we sell an ai tool that picks which loan apps get approved - any rules?": a product
    # described, and what rules it has — its tier decides them
    r"(?:\b(?:we|i|our (?:company|startup|team|school|hospital|bank|firm|agency|shop|clinic|university|council|business))"
    r" (?:sell|build|make|develop|offer|run|provide|deploy|(?:use|uses|(?:want|wants|plan|plans|intend|intends) to use))\b|"
    r"\b(?:we(?:'re| are)|i(?:'m| am)) (?:launching|releasing|building|rolling out|shipping|developing|selling|deploying)\b).*"
    r"\b(?:(?:any|which|what) (?:ai act )?(?:rules|regulations?|requirements)(?: (?:for|apply|on|apply to) (?:us|me|it|this)(?: as (?:an?|the) [\w-]+)?| apply| applies| do we (?:need to follow|have))?|"
    r"anything (?:special|else|in particular|to (?:know|watch out for|consider|worry about)))\s*\W*$|"
    # "our app scores loan applicants, is it high risk": the tier asked in a clause after the product
    rf"[,;:–—-]\s*(?:is|are|would|will|could) (?:it|this|that|they|we)(?: be)?(?: considered| classed as| classified as| treated as| counted as)? {TIER}{NOW}\s*\W*$|"
    r"^\W*is it (?:still )?(?:legal|lawful|allowed|permitted|ok|okay|banned|prohibited|forbidden|illegal) to\b|"
    # "Is a deepfake nude of a classmate illegal under the AI Act?": whether the thing named is allowed
    r"^\W*(?:is|are)\b[^?]{1,100}?\b(?:legal|illegal|lawful|unlawful|banned|prohibited|forbidden|allowed|permitted)"
    r"(?:\s+(?:under|in|by|within)\s+(?:the\s+)?(?:eu(?:ropean)?(?:\s+union)?|ai act|eu ai act|act|law|europe))*\s*\W*$|"
    # "do we fall under the high-risk biometric rules?": the tier asked as the rules it brings
    r"\b(?:fall|falls|come|comes|count|counts)\s+(?:under|within|among)\s+(?:the\s+)?(?:high[- ]?risk|prohibit\w*|banned|annex iii)\b|"
    # "Does the AI Act ban social scoring by companies?": whether a practice is prohibited
    r"^\W*(?:does|do|will|would) (?:the )?(?:eu )?(?:ai act|act|regulation|eu|law)s? (?:still |really |also |now )?"
    r"(?:ban|prohibit|forbid|outlaw|allow|permit)\b", _I)
DEFINITION = re.compile(
    r"^\s*(?:what(?:'s|s| is| are| r)(?: meant by| the meaning of)?|define|definition of|meaning of|"
    r"what counts as|who counts as|who (?:is|are)(?: considered)?|what does the (?:ai )?act mean by|"
    r"how does the (?:ai )?act define|(?:can you )?explain what|tell me what)\b", _I)
TEXT = re.compile(r"^\s*(?:what (?:does|do|did) (?:article|art\.?|annex|recital)|show me|quote|text of)\b", _I)
SOFT_LAW = re.compile(r"\bcodes? of practi[cs]e\b|\bsignator\w*\b|\b(?:sign|follow|adhere to|join)\w* (?:the |a )?code\b|\bsign(?:ing|ed)? (?:the|it)\b|"
                      r"\bguidelines? (?:are|is) (?:binding|legally)|\bpresumption of conformity\b|"
                      r"^\W*(?:are|is|do|does) (?:the )?(?:[\w()'’-]+ ){0,5}guidelines? (?:legally |really |actually )?(?:binding|enforceable|law)\b", _I)
SCOPE = re.compile(r"\b(?:apply to|applies to|covered|in scope|out of scope|exempt\w*|exclu\w*|"
                   r"becomes? (?:the )?provider|who becomes|do (?:we|i) become|who is the provider|(?:are we|am i) (?:still |then |now )?(?:the |a |an )?(?:provider|deployer)s?|does the ai act apply|"
                   r"any obligations|fall under|(?:does|do|would|will) (?:the )?(?:ai )?(?:act|regulation|law|it) (?:still |even |also )?cover|"
                   # "is a company in Switzerland affected by the AI Act?", "is the act relevant if …"
                   r"(?:affected|impacted|concerned|bound|caught) by (?:the |this )?(?:eu )?(?:ai )?(?:act|regulation|law|rules)|"
                   r"(?:is|are|would|will) (?:the |this )?(?:eu )?(?:ai )?(?:act|regulation|law|rules) (?:even |still |really |at all )?(?:relevant|applicable)|"
                   # "… EU customers use our AI, does the act apply?": whether it applies at all, however short
                   r"(?:does|do|would|will|could) (?:the |this |that )?(?:eu )?(?:ai )?(?:act|regulation|law|rules?|it|they) "
                   r"(?:still |even |also |really |actually |then )?apply(?: (?:here|at all|to (?:us|me|them|it)))?(?=\W*$))\b|"
                   # "do we have to comply already?": whether the Act binds us at all (at this stage)
                   r"\b(?:have|need|got) to comply(?: with (?:the |this |that )?(?:ai act|act|regulation|law|it|rules))?"
                   r"(?: (?:already|yet|now|at all|too))?\s*\W*$", _I)
# How questions name a document of the corpus ("the GPAI guidelines", "the draft guidelines",
# "under the Code of Practice"): a question that names one asks what that document says.
DOCUMENTS = {
    "Guidelines on general-purpose AI models":
        r"(?:gpai|general[- ]purpose(?: ai)?(?: models?)?)[- ](?:scope )?guidelines|guidelines (?:on|for) (?:the )?(?:gpai|general[- ]purpose)",
    "Guidelines on prohibited AI practices":
        r"prohibit\w*[- ](?:ai[- ])?practices?[- ]guidelines|prohibitions? guidelines|guidelines on (?:the )?prohibit\w*",
    "Guidelines on transparency (Article 50)":
        r"(?:transparency|article 50)[- ]guidelines|guidelines on (?:the )?(?:transparency|article 50)",
    "Guidelines on the AI system definition":
        r"(?:ai[- ]system[- ])?definition[- ]guidelines|guidelines on (?:the )?(?:ai system )?definition",
    "Draft guidelines on high-risk classification":
        r"draft (?:[\w-]+ ){0,3}guidelines|(?:high[- ]risk|classification)[- ]guidelines|guidelines on (?:the )?(?:high[- ]risk|classification)",
    "GPAI Code of Practice (Safety and Security)": r"codes? of practi[cs]e",
    "Digital Omnibus (Regulation (EU) 2026/1744)": r"(?:digital )?omnibus|2026/1744",
}
# A question on what the code of practice itself sets ("How often must signatories assess their
# Framework under the Code of Practice?") asks its content, not its legal status.
CODE_CONTENT = re.compile(r"\b(?:under|according to|in|by) (?:the )?(?:gpai )?code(?: of practi[cs]e)?\b(?! (?:is|are)\b)|"
                          r"\bthe code(?: of practi[cs]e)?'s\b|\bwhat (?:does|do) the (?:gpai )?code(?: of practi[cs]e)? "
                          r"(?:say|require|ask|expect|contain)", re.I)
CODE_STATUS = re.compile(r"\bsign(?:s|ed|ing)?\b|non-?signator\w*|\bbinding\b|presumption|\brel(?:y|ies|ied)\b|adher\w*|"
                         r"\bfollow\w*|adequa\w*|enforc\w*|harmoni[sz]ed standards?|mandatory|voluntary|optional|"
                         r"\bfine[ds]?\b|\blegal(?:ly)?\b|benefit\w*|advantage\w*|what happens|\bjoin\w*", re.I)
# "According to the GPAI guidelines, …", "under the Code of Practice", "what do the … guidelines
# say": the question asks what that source says, which its own passages answer.
ASKS_SOURCE = re.compile(r"\b(?:according to|under|in|per)\s+the\b[^?]{0,40}?\b(?:guidelines?|guidance|code(?: of practi[cs]e)?)\b|"
                         r"\bwhat (?:do|does)\s+the\b[^?]{0,40}?\b(?:guidelines?|guidance|code(?: of practi[cs]e)?)\s+"
                         r"(?:say|state|explain|require|mean|expect)", re.I)
COMPARE = re.compile(r"\b(?:vs\.?|versus|compared? (?:to|with)|difference between|differ|whats? the difference|the same (?:thing )?as)\b", _I)
AI_WORDS = re.compile(r"\b(?:ai|a\.i\.|artificial intelligence|ai act|gpai|model|algorithm\w*|chatbot|"
                      r"machine learning|automated|deep ?fake)s?\b", _I)
OTHER_LAW = re.compile(
    r"\b(?:gdpr|general data protection regulation|data subject access|dpia|personal data breach|vat|"
    r"tax(?:es)?|income tax|corporate tax|eprivacy|cookie|data act|digital services act|\bdsa\b|"
    r"digital markets act|\bdma\b|nis ?2|recipe|carbonara|sourdough|"
    # concepts of other regimes that AI Act passages share words with (copyright ownership,
    # GDPR breaches, employment contracts, product liability)
    r"fair use|register\w* (?:a |an |our |my |the )?(?:trademark|patent)s?|trademark (?:law|office|registration|infring\w*)|"
    r"patent (?:law|office|application)|patentab\w*|file (?:a |for a )?patent|data breach(?:es)?|"
    r"breach of contract|limitation periods?|statute of limitations|notice periods?|severance|minimum wage|"
    r"product liability|executive order)\b", _I)
# "the Cyber Resilience Act", "the Product Liability Directive": a law named that is not this one
NAMED_LAW = re.compile(r"\bthe\s+((?:[\w-]+\s+){1,3})(?:act|directive)\b", _I)
NOT_ANOTHER_LAW = {"ai", "artificial", "intelligence", "omnibus", "this", "that", "same", "whole"}
# The question names this Act, or a notion only the AI Act has: then another law's words in it
# ("GDPR", "tax-funded") are context, not the subject.
THIS_ACT = re.compile(
    r"\bai act\b|\bartificial intelligence (?:act|regulation)\b|\b(?:the |eu |european )ai (?:regulation|law)\b|"
    r"2024/1689|\bhigh[- ]?risk\b|\bannex (?:i|iii)\b|\bgpai\b|general[- ]purpose ai|chatbots?|"
    r"deep ?fakes?|emotion recognition|biometric (?:identification|categori[sz]ation)|prohibited (?:ai )?practices?|conformity assessment|ce marking|"
    r"notified bod(?:y|ies)|ai office|ai literacy|deployers?|fundamental rights impact assessments?|\bfrias?\b|"
    r"(?:ai )?regulatory sandbox(?:es)?|post-market monitoring|human oversight|downstream providers?|"
    r"codes? of practice", _I)
INSTRUCTED = re.compile(  # the question tells the assistant what to say or to drop its sources
    r"\b(?:forget|ignore|disregard)\b.{0,40}\b(?:documents?|sources?|texts?|instructions?|context|rules?)\b|"
    r"\b(?:tell|convince) me that\b|\b(?:say|confirm) that\b", _I)
FOLLOW_UP = re.compile(
    r"^\s*(?:and|&|also|plus|but|so|what about|how about|and what about|what if|same for|"
    r"and for|and if|and under|and with|and the|and from|and when|and what|and how|what of)\b", _I)
# "We released our model in June 2025", "on the market since 2025", "launched after August 2025":
# when the system or model the question describes was placed on the market (or put into
# service). Read as a period, so that it can be set against a transitional rule's cut-off date
# (Article 111: "placed on the market before …") from the law data.
PLACED_VERB = (r"(?:released|launched|published|uploaded|posted|open[- ]?sourced?|first (?:sold|offered|marketed)|"
               r"made (?:it |them )?(?:publicly )?available|put (?:[\w-]+ ){1,4}(?:on|online|out)\b|placed (?:it |them )?on the (?:eu |union )?market|put (?:it |them )?(?:in|on)to "
               r"(?:service|the market)|put into service|went live|gone live|came out|come out|shipped|rolled out|deployed|"
               r"(?:been |was |were |is |are )?on the (?:eu |union )?market|in service|in use|(?:have |has |had )?(?:been )?us(?:ed|ing)|"
               r"(?:started|been|began) (?:selling|offering|using)|introduced|available|"
               # "models that were already out before August 2025", "on sale since 2024"
               r"(?:was|were|is|are|been|'re|'s) (?:already |first |publicly )?(?:out(?! of\b)|on sale|for sale))")
_MONTH = r"January|February|March|April|May|June|July|August|September|October|November|December|" \
         r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
PLACED = re.compile(
    rf"\b{PLACED_VERB}\b[^.?!;]{{0,80}}?\b(?P<rel>back in|in|since|before|after|during|from|as of|as early as)\s+"
    rf"(?:(?P<part>early|mid|late|spring|summer|autumn|fall|winter)(?:\s+of)?\s+)?(?:(?P<day>\d{{1,2}})\s+)?"
    rf"(?:(?P<month>{_MONTH})\.?\s+)?(?P<year>20[12]\d)\b", re.I)
SEASONS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12), "spring": (3, 5), "summer": (6, 8),
           "autumn": (9, 11), "fall": (9, 11), "winter": (1, 2)}


def placed_period(text: str) -> tuple[dt.date, dt.date] | None:
    """The period in which the question says its system or model was placed on the market:
    'released in June 2025' → 1–30 June 2025; 'before 2 August 2026' → up to 1 August 2026;
    'after August 2025' → from 1 September 2025. None when the question says no such date."""
    import calendar

    m = PLACED.search(text)
    if not m:
        return None
    year = int(m.group("year"))
    month = m.group("month")
    if month:
        number = next(i for i, name in enumerate(calendar.month_name) if name and name.lower().startswith(month.lower()[:3]))
        first, last = (number, number)
    else:
        first, last = SEASONS.get((m.group("part") or "").lower(), (1, 12))
    if m.group("day") and month:
        start = end = dt.date(year, first, min(int(m.group("day")), calendar.monthrange(year, first)[1]))
    else:
        start, end = dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    rel = m.group("rel").lower()
    if rel == "before":
        return dt.date.min, start - dt.timedelta(days=1)
    if rel == "after":
        return end + dt.timedelta(days=1), dt.date.max
    return start, end


SME = re.compile(r"\b(?:smes?|start-?ups?|small (?:and medium|company|business|enterprise)s?)\b", _I)
SMC = re.compile(r"\b(?:smcs?|small mid-?caps?|mid-?caps?)\b", _I)


CASUAL = {  # chat spellings → words (whole words only)
    "u": "you", "ur": "your", "r": "are", "pls": "", "plz": "", "please": "", "ppl": "people", "hav": "have",
    "wen": "when", "wat": "what", "whats": "what is", "what's": "what is", "who's": "who is", "whos": "who is",
    "where's": "where is", "when's": "when is", "how's": "how is", "abt": "about", "govt": "government",
    "thx": "", "aply": "apply", "anex": "Annex", "highrisk": "high-risk", "w/": "with", "b/c": "because",
    "cuz": "because", "coz": "because", "dont": "don't", "doesnt": "doesn't", "isnt": "isn't", "im": "I am",
    # product words founders use → the words of the texts
    "pics": "images", "pic": "image", "pix": "images", "vids": "videos", "vid": "video", "selfies": "facial images",
    "cvs": "CVs", "resumes": "CVs", "résumés": "CVs", "resume": "CV", "gen-ai": "generative AI", "genai": "generative AI",
    "biz": "business", "lol": "", "tbh": "", "uni": "university", "unis": "universities", "rep": "representative", "reps": "representatives", "eu's": "EU", "reg": "regulation", "regs": "rules",
    "info": "information",
}
DEFINITION_FORMS = [re.compile(p, re.I) for p in (
    r"^\W*(?:what(?:'s| is| are)|whats)\s+(?:meant by|the meaning of|the definition of)\s+(?P<t>.+)$",
    r"^\W*(?:what(?:'s| is| are)|whats)\s+(?P<t>.+)$",
    r"^\W*(?:define|definition of|meaning of|what counts as|who counts as|what do you mean by)\s+(?P<t>.+)$",
    r"^\W*(?:can you |could you )?(?:explain|tell me) what\s+(?P<t>.+?)\s+(?:is|are|means?)\b.*$",
    r"^\W*what does\s+(?P<t>.+?)\s+mean\b.*$",
    r"^\W*who (?:is|are)(?: considered)?\s+(?P<t>.+)$",
    r"^\W*how does the (?:ai )?act define\s+(?P<t>.+)$",
)]
TERM_TAIL = re.compile(r"(?:\s*(?:(?:under|in|according to|for the purposes of|by) (?:the )?(?:eu )?(?:ai act|act|regulation)"
                       r"(?: 2024/1689)?|in the ai act|in (?:simple|plain|layman'?s?) (?:terms|words|english)|simply|"
                       r"exactly|actually|anyway|pls|please|,))*\s*[?.!]*\s*$", re.I)


def normalise(text: str) -> str:
    """Casual spellings as words, repeated punctuation once: 'whats a deployer??' → 'what is a deployer?'."""
    # "R&D", "Q&A": a letter joined by "&" is part of an abbreviation, not chat spelling ('r' → 'are')
    text = re.sub(r"(?<![\w/&])([A-Za-z/']+)(?![\w/&])",
                  lambda m: CASUAL.get(m.group(1).lower(), m.group(1)) if m.group(1).lower() in CASUAL
                  else m.group(1), text)
    # the Act writes "general-purpose" with a hyphen: a definition compared is found by its own words
    text = re.sub(r"\bgeneral\s+purpose\b", lambda m: "General-purpose" if m.group(0)[0] == "G" else "general-purpose", text)
    # "hi risk", "hi-risk": chat spelling of the Act's "high-risk" ("hi" alone is a greeting)
    text = re.sub(r"\bhi[- ]?risk\b", lambda m: "high-risk" if m.group(0)[0] == "h" else "High-risk", text, flags=re.I)
    # the two the Act's words spell out ("research and development"; Q&A stays)
    text = re.sub(r"(?<![\w&])R&D(?![\w&])", "research and development", text, flags=re.I)
    text = re.sub(r"([?!.])\1+", r"\1", text)
    text = INTENDED_NOT.sub(" will not ", text)
    text = PREAMBLE.sub("", text)
    return " ".join(text.split())


# "quick q: what's the AI Office?", "hi team, …", "dumb question: …": words before the question
# that ask nothing; the question starts after them (where its head words are read).
PREAMBLE = re.compile(r"^(?:\W*(?:hi|hey|hello|hiya)(?: there| all| team| everyone| folks)?\s+"
                      r"(?=(?:is|are|can|could|do|does|did|what|whats|when|how|who|which|should|must|will|would|may)\b)|"
                      r"\W*(?:(?:hi|hey|hello|hiya|dear \w+)(?: there| all| team| everyone| folks)?|"
                      r"(?:(?:a |one )?(?:quick|dumb|silly|stupid|simple|basic|newbie|noob|short|random) )?(?:q|qq|question)|"
                      r"ok(?:ay)?|sorry|thanks?(?: in advance)?|good (?:morning|afternoon|evening)|"
                      r"(?:i )?(?:have|got) a (?:quick |short )?question)\s*[,:;!.–—-]+\s*)+", re.I)
# "we're not going to sign", "we don't plan to adhere", "we decided not to follow": an intention
# not to act, said as the plain negated future the law data's words read ("will not sign").
INTENDED_NOT = re.compile(r"(?:\s+(?:are|am|is)\s+not|'re\s+not|'m\s+not|'s\s+not|\s+aren'?t|\s+isn'?t)\s+going\s+to\b\s*|"
                          r"\s+(?:do not|don'?t|does not|doesn'?t)\s+(?:plan|want|intend|wish|mean)\s+to\b\s*|"
                          r"\s+(?:decided|chose|choose|plan|intend|prefer)\s+not\s+to\b\s*", re.I)


def defined_term(text: str) -> str | None:
    """The term a definition question asks about, however it is put (none for a figure asked:
    'what is the threshold for …')."""
    if QUANTITY_ASKED.search(text):
        return None
    for form in DEFINITION_FORMS:
        m = form.match(text)
        if m:
            term = TERM_TAIL.sub("", m.group("t")).strip(" ‘’'\"“”?")
            term = re.sub(r"^(?:an?|the)\s+", "", term, flags=re.I).strip(" ‘’'\"“”")
            if 1 <= len(term.split()) <= 6:
                return term
    return None


@dataclass(frozen=True)
class Premise:
    """A claim in the question that the law data contradicts: what was said, and the fact
    (``subject/id``) that says otherwise."""

    claim: str
    fact: str


@dataclass(frozen=True)
class Part:
    """One thing asked: an intent and its slots."""

    intent: str
    text: str
    actors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    sme: bool = False
    smc: bool = False
    source_kind: str | None = None  # the kind of source the question asks for (guidelines, code of practice)
    document: str | None = None  # the document the question names, when it names one
    asks_source: bool = False  # it asks what that kind of source says ("according to the guidelines")
    term: str | None = None  # the term a definition question asks about
    # when the system or model asked about was placed on the market (first day, last day)
    placed: tuple[dt.date, dt.date] | None = None
    clause: str = ""  # in a message that joins several questions, the words of this one


@dataclass(frozen=True)
class Plan:
    question: str  # the question as asked (cleaned)
    query: str  # what is looked up: the question, completed by the previous turn for a follow-up
    parts: tuple[Part, ...]
    as_of: dt.date | None = None
    premises: tuple[Premise, ...] = field(default=())
    follow_up: bool = False

    @property
    def intent(self) -> str:
        return self.parts[0].intent if self.parts else "other"

    def to_dict(self) -> dict:
        return {"question": self.question, "query": self.query, "intent": self.intent,
                "as_of": self.as_of.isoformat() if self.as_of else None, "follow_up": self.follow_up,
                "parts": [{"intent": p.intent, "actors": list(p.actors), "categories": list(p.categories),
                           "references": list(p.references), "sme": p.sme, "smc": p.smc,
                           **({"placed": [d.isoformat() if d not in (dt.date.min, dt.date.max) else None
                                          for d in p.placed]} if p.placed else {}),
                           **({"clause": p.clause} if p.clause else {}),
                           **({"source_kind": p.source_kind} if p.source_kind else {}),
                           **({"document": p.document} if p.document else {}),
                           **({"asks_source": True} if p.asks_source else {})} for p in self.parts],
                "premises": [{"claim": p.claim, "fact": p.fact} for p in self.premises]}


def found(patterns: dict[str, str], text: str) -> tuple[str, ...]:
    hits = []
    for name, pattern in patterns.items():
        m = compiled(rf"\b(?:{pattern})\b", re.I).search(text)
        if m:
            hits.append((m.start(), name))
    return tuple(name for _, name in sorted(hits))


def is_other_law(text: str) -> bool:
    """The question is about another law: it names one (or a notion of one) and nothing of this Act."""
    named = any(not NOT_ANOTHER_LAW & set(m.group(1).lower().split()) for m in NAMED_LAW.finditer(text))
    return bool(named or OTHER_LAW.search(text)) and not THIS_ACT.search(text)


# "What is the threshold for systemic risk?": a figure the law sets, not the meaning of a term
QUANTITY_ASKED = re.compile(r"^\W*what(?:'s| is| are|s)\s+(?:the\s+)?(?:(?:(?:compute|flops?|training) )?thresholds?|"
                            r"maximum|minimum|max|min|limits?|amounts?|number|percentage|cap)\b", _I)


# "our app scores how likely a customer is to pay back a loan": a product described with no
# question at all; what a founder wants to know is what the Act makes of it — its tier.
DESCRIBED = re.compile(
    r"^\W*(?:we|i|our|my)\b(?: (?:company|startup|team|firm|business|app|tool|product|platform|system|"
    r"software|service|model|ai|bot|chatbot|client|customer|voice|assistant|agent|camera|robot|device|new|own|"
    r"main|smart|online|mobile|web))*(?: (?:also|just|only|now|basically|mainly))?"
    r" (?:make|build|sell|develop|offer|run|provide|deploy|use|are (?:building|developing|making|using)|"
    r"(?:have|'ve) (?:built|developed|made)|scores?|rates?|ranks?|decides?|screens?|predicts?|analy[sz]es|"
    r"monitors?|detects?|recogni[sz]es|generates?|checks?|sorts?|matches|picks?|filters?|evaluates?|assess(?:es)?|"
    r"tracks?|reads?|identif(?:y|ies)|flags?|recommends?|sets?|estimates?|profiles?|classif(?:y|ies)|"
    r"helps?|assists?|supports?|automates?|handles?|answers?|writes?|drafts?|creates?|produces?|grades?|marks?|"
    r"translates?|transcribes?|summari[sz]es?|interviews?|verif(?:y|ies)|controls?|steers?|drives?|diagnoses?)\b", _I)


# "a tool that sorts asylum applications by likely outcome", "AI which assesses …": a system
# described by what it does, with no question (the same reading as DESCRIBED)
DESCRIBED_THING = re.compile(
    r"^\W*(?:(?:an?|the|this|our|my)\s+)?(?:[\w-]+\s+){0,3}?(?:ai|a\.i\.|tool|app|application|system|software|model|"
    r"platform|chatbot|bot|algorithm|service|product|solution|device|camera|program|programme)s?\s+"
    # what the system itself does ('a tool that sorts …'), not what is done with it ('… that the AI Office uses')
    r"(?:that|which|to|for|used to|used for|designed to|meant to|built to)\s+"
    r"(?!(?:the|a|an|we|you|they|it|our|their|this|these|i|he|she|is|are|was|were|has|have)\b)\w+", _I)


# The public bodies of the Act, as questions name them.
BODIES = (r"(?:the |each |every |a |an |all |our |my )?(?:eu |national |relevant |european )?"
          r"(?:market surveillance authorit(?:y|ies)|(?:national )?competent authorit(?:y|ies)|notifying authorit(?:y|ies)|"
          r"member states?|(?:eu )?countr(?:y|ies)|governments?|commission|ai office|(?:ai )?board|scientific panel|"
          r"advisory forum|edps|european data protection supervisor|regulators?|supervisors?|notified bod(?:y|ies))")
# "how many days does the market surveillance authority have to act?", "does every EU country
# have to set up …?", "must the Commission …": the duty asked is a public body's, not an
# operator's (whose obligations the law data lists).
BODY_DUTY = re.compile(rf"\bwhat (?:exactly |actually )?(?:does|do|will|would|can|should|must|shall) {BODIES}\s+"
                       r"(?:(?:actually|really|exactly|even|usually) )?do\b|"  # "what does the AI Board actually do?": its tasks
                       rf"\b(?:does|do|must|shall|will|would|should|has|have|is|are)\s+{BODIES}\s+"
                       r"(?:(?:really|still|also|then|legally|actually)\s+)?(?:have|has|need|needs|got|required|obliged|bound)\s+to\b|"
                       rf"^\W*{BODIES}\s+(?:must|shall|(?:has|have|needs?) to|(?:is|are) (?:required|obliged) to)\b", re.I)


# "who do we register high risk systems with?", "where do I report a serious incident?": how to
# do a duty the question takes for granted
WHERE_TO_FILE = re.compile(r"^\W*(?:who|whom|where|how|with whom|to whom)\s+(?:do|does|should|must|can|shall)\s+"
                           r"(?:we|i|you|providers?|deployers?|importers?|distributors?|(?:the |our |my )?(?:company|companies|startup))\s+"
                           r"(?:\w+\s+)?(?:register|report|notify|submit|send|file|declare)\b", re.I)
# "what rules apply to us as the school?": which duties, not whether the Act applies
WHICH_RULES = re.compile(r"\b(?:what|which)\s+(?:[\w-]+\s+){0,2}?(?:rules|obligations|requirements|duties)\b"
                         r"(?:\s+[\w-]+){0,3}?\s+(?:apply|applies)\b", re.I)


STILL_APPLY = re.compile(r"\bstill\b(?= appl)", re.I)  # the date words left once "still" is gone
# "we're a reseller …", "as the importer …", "distributor here": the role the speaker names for
# itself; "before we sell it" is then its own selling, not a provider's
SELF_ROLE = re.compile(r"\b(?:we(?:'re| are)|i(?:'m| am)|as)\s+(?:an?|the)\s+(?:[\w-]+\s+){0,3}?"
                       r"(?:importers?|distributors?|resellers?|authori[sz]ed representatives?)\b|"
                       r"\b(?:importers?|distributors?|resellers?)\s+here\b", re.I)
PROVIDER_NAMED = re.compile(r"\b(?:providers?|developers?)\b", re.I)
PERIOD_OF_DUTY = re.compile(r"\b(?:deadline|time limit|timeframe|time frame)s? (?:for|to) (?:report|notif|inform|respond|repl|tell|alert)\w*|"
                            # "within how many days do we report a serious incident …?": the duty's own period
                            r"\bhow (?:many (?:days|hours|weeks)|long|quickly|fast|soon) (?:do|does|must|should|shall|can|have|has)\s+"
                            r"(?:we|i|you|they|(?:the )?providers?|(?:the )?deployers?)\s+(?:\w+\s+){0,3}?(?:report|notify|inform|alert)\b", _I)


def intent_of(text: str) -> str:
    """The main intent, by how the question is put (the first rule that fits wins)."""
    if is_other_law(text):
        return "off_topic"
    if TEXT.search(text) and find_references(text):
        return "text"
    if SOFT_LAW.search(text) and not (CODE_CONTENT.search(text) and not CODE_STATUS.search(text)):
        return "soft_law"
    if PERIOD_OF_DUTY.search(text):  # "the deadline for reporting a serious incident": the duty's own period
        return "obligations"
    if DEADLINE.search(text) and not (WHICH_RULES.search(text) and not DEADLINE.search(STILL_APPLY.sub(" ", text))):
        # "which GPAI obligations still apply to us?" asks which duties remain, not from when
        return "deadline"
    if PENALTY.search(text):
        return "penalty"
    if DEFINITION.search(text) and not OBLIGATIONS.search(text) and not CLASSIFY.search(text) \
            and not QUANTITY_ASKED.search(text):
        return "definition"
    if DUTY_ASKED.search(text) or WHERE_TO_FILE.search(text):  # "Do we need to register a system we concluded is not high-risk?"
        return "obligations"
    if CLASSIFY.search(text):
        return "classification"
    if SCOPE.search(text):
        return "obligations" if WHICH_RULES.search(text) else "scope"
    if BODY_DUTY.search(text):  # what an authority must do is no operator's duty: the passages say it
        return "other"
    if OBLIGATIONS.search(text):
        return "obligations"
    if COMPARE.search(text):
        return "comparison"
    if (DESCRIBED.search(text) or DESCRIBED_THING.search(text)) and "?" not in text:
        return "classification"
    return "other"


def parse(question: str, as_of: dt.date | None = None, previous: "Plan | None" = None) -> Plan:
    """The plan of a (cleaned) question; ``previous`` is the plan of the turn before, if any."""
    question = normalise(question)
    follow_up = previous is not None and is_follow_up(question, previous)
    query = merge(question, previous) if follow_up and previous else question
    day = as_of or point_in_time(query) or (previous.as_of if follow_up and previous else None)
    if day is None and ORIGINAL.search(query):  # "the original 2024 date": the law before the Omnibus
        day = OMNIBUS_IN_FORCE - dt.timedelta(days=1)
    actors = found(ACTORS, query)
    if "provider" in actors and len(actors) > 1 and SELF_ROLE.search(query) and not PROVIDER_NAMED.search(query):
        actors = tuple(a for a in actors if a != "provider")
    categories = found(CATEGORIES, query)
    refs = tuple(r.reference for r in find_references(query))
    intent = intent_of(query)
    own = intent_of(question) if follow_up else "other"
    if own not in ("other", "off_topic"):
        # "and when do those rules apply?" after "Is my credit scoring tool high-risk?" asks a
        # date: the previous turn gives the slots (the system), not the intent.
        intent = own
    if len(actors) > 1 and COMPARE.search(query) and not OBLIGATIONS.search(query) and intent != "off_topic":
        # "distributor vs importer - what's the difference?": what each is, not what each must do
        intent = "definition"
    placed = placed_period(query)
    if placed and intent == "obligations" and re.search(r"\b(?:when|wen)\b", question, re.I):
        # "It has been on the market since 2025. When must it be watermarked?" asks the date
        # by which a system already on the market must comply.
        intent = "deadline"
    document = named_document(query)
    base = Part(intent, query, actors, categories, refs, bool(SME.search(query)), bool(SMC.search(query)),
                source_kind=source_kind_of(query, document), document=document, asks_source=asks_source(query),
                term=defined_term(query) if intent in ("definition", "other") else None,
                placed=placed)
    parts = [base]
    # "provider vs deployer duties" / "obligations of providers and deployers": one part per actor.
    if len(actors) > 1 and intent in ("obligations", "other"):
        # "we're a non-EU model provider with an EU rep - what do they have to keep?": the duty
        # asked is the other party's, not the speaker's own
        others = other_party(query, actors)
        if others:
            actors = others
            base = replace(base, actors=actors)
            parts = [base]
    if intent in ("obligations", "comparison", "other") and len(actors) > 1:
        parts = [replace(base, intent="obligations", actors=(a,)) for a in actors]
    else:
        # "Is my CV tool high-risk, and from when?": one part per question asked, in the order
        # asked; each part reads the whole question for its slots (the system, the actor).
        asked = clause_intents(question if own not in ("other", "off_topic") else query)
        if len(asked) > 1:
            parts = [replace(base, intent=i, term=None, clause=c) for i, c in asked]
    return Plan(question=question, query=query, parts=tuple(parts), as_of=day, follow_up=follow_up)


THIRD_PERSON_ASKED = re.compile(r"\b(?:do|does|did|must|should|shall|will|would|can|have|has)\s+(?:they|he|she)\b|"
                                r"\b(?:they|he|she)\s+(?:must|should|need|needs|have|has|are required)\s+to\b", re.I)


def other_party(text: str, actors: tuple[str, ...]) -> tuple[str, ...]:
    """The actors a question asks about when the speaker names their own role ('we're a
    provider', 'as the deployer') and asks what a third person ('they') must do: the others.
    () when it does not (then every actor named is asked)."""
    if not THIRD_PERSON_ASKED.search(text):
        return ()
    own = [a for a in actors if compiled(rf"\b(?:we(?:'re| are)|i(?:'m| am)|as)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){{0,3}}?(?:{ACTORS[a]})\b",
                                         re.I).search(text)]
    if len(own) != 1:
        return ()
    return tuple(a for a in actors if a != own[0])


def named_document(text: str) -> str | None:
    """The document of the corpus the question names ('the GPAI guidelines'), the first named."""
    hits = [(m.start(), name) for name, pattern in DOCUMENTS.items()
            if (m := compiled(rf"\b(?:{pattern})\b", re.I).search(text))]
    return min(hits)[1] if hits else None


def asks_source(text: str) -> bool:
    """Does the question ask what the guidelines or the code say ('according to the GPAI
    guidelines, …')? Not when it asks what the code is worth ('can commitments under the code
    of practice be taken into account when the Commission sets a fine?')."""
    m = ASKS_SOURCE.search(text)
    return bool(m) and not (re.search(r"\bcode\b", m.group(0), re.I) and CODE_STATUS.search(text))


def source_kind_of(text: str, document: str | None = None) -> str | None:
    """The kind of source the question asks for: the named document's, or the one its words ask
    ('according to the guidelines', 'under the code of practice'); None for the law itself."""
    from assistant.retrieve import asked_kind  # retrieve reads the plan's patterns

    kinds = {"GPAI Code of Practice (Safety and Security)": CODE,
             "Digital Omnibus (Regulation (EU) 2026/1744)": AMENDING}
    if document is not None:
        return kinds.get(document, GUIDELINES)
    return asked_kind(text)


CLAUSE_BREAK = re.compile(
    r"\?\s+|;\s*|\s+[—–-]\s+|,?\s+\b(?:and|also|plus)\b\s+(?:if so,?\s+)?(?=(?:from|since|by|until|when|what|which|how|who|"
    r"is|are|does|do|can|must|should|would|will|if)\b)|,\s+(?=(?:from|since|by|until|when|and)\b)|"
    # "What is a deployer, what must it do, …": a list of questions
    r",\s+(?=(?:what|which|how|who|whom)\b)", re.I)
CONDITION_CLAUSE = re.compile(r"^\W*(?:if|since(?!\s+when\b)|because|as(?!\s+of\b)|given(?: that)?|now that|although|"
                              r"even though|unless|once)\b", re.I)
SEVERAL = ("classification", "deadline", "penalty", "obligations", "soft_law", "definition")  # intents a question may join


def clause_intents(text: str) -> tuple[tuple[str, str], ...]:
    """The distinct intents of the questions one message joins, each with its words ("is it
    high-risk, and from when?" → classification, deadline), in the order asked; one intent or
    none gives ()."""
    out: dict[str, str] = {}
    for clause in CLAUSE_BREAK.split(text):
        if len(re.findall(r"\w+", clause)) < 2:
            continue
        if CONDITION_CLAUSE.match(clause):
            continue  # "If our tool is high-risk, what must we do?": a condition, not a question
        clause = clause.strip(" ,.") + ("" if clause.rstrip().endswith("?") else "?")
        i = intent_of(clause)
        if i in SEVERAL and i not in out:
            out[i] = clause
        elif i == "obligations" and i in out and _other_duty(out[i], clause):
            # "what must a deployer do, and do they need a FRIA?": two duties asked, each its part
            out[f"{i}#{len(out)}"] = clause
    if "soft_law" in out and not {"deadline", "penalty"} & set(out):
        # "Meta didn't sign the code — do we have to?" is one question on the code; "When do the
        # GPAI rules apply and does signing the code help?" asks a date as well
        del out["soft_law"]
    return tuple((i.split("#")[0], c) for i, c in out.items()) if len(out) > 1 else ()


def _other_duty(first: str, second: str) -> bool:
    """The second clause names a duty of its own ('a fundamental rights impact assessment'),
    not only the actor of the first."""
    words = lambda t: {w for w in re.findall(r"[a-z]{4,}", t.lower())} - DUTY_FILLER
    return len(words(second) - words(first)) >= 2


DUTY_FILLER = {"what", "must", "need", "have", "they", "them", "their", "does", "should", "also", "still", "this",
               "that", "with", "from", "into", "shall", "will", "would", "could", "about"}


def is_follow_up(question: str, previous: Plan) -> bool:
    """A short turn that leans on the previous one ("And for deployers?", "what about SMEs?")."""
    words = re.findall(r"\w+", question)
    if FOLLOW_UP.search(question) and len(words) <= 14:
        return True
    return len(words) <= 4 and intent_of(question) == "other"


def merge(question: str, previous: Plan) -> str:
    """The follow-up completed by the previous turn: a new actor replaces the old one, anything
    else is added to it ("What is the fine for X?" + "And for SMEs?" → "... X? for SMEs")."""
    base = previous.query
    new_actors = found(ACTORS, question)
    old_actors = found(ACTORS, base)
    rest = FOLLOW_UP.sub("", question).strip(" ?.!")
    if new_actors and old_actors and new_actors[0] != old_actors[0]:
        base = re.sub(rf"\b(?:{ACTORS[old_actors[0]]})\b", _plural(new_actors[0]), base, flags=re.I)
        leftover = re.sub(rf"\b(?:for|of|the)?\s*(?:{ACTORS[new_actors[0]]})\b", "", rest, flags=re.I).strip()
        return base if not re.search(r"\w{3,}", leftover) else f"{base} {rest}"
    return f"{base.rstrip(' ?')} — {rest}?" if rest else base


def _plural(actor: str) -> str:
    return {"authorised representative": "authorised representatives",
            "product manufacturer": "product manufacturers"}.get(actor, actor + "s")


def previous_plan(history: Sequence | None) -> Plan | None:
    """The plan of the last earlier turn (an Answer with a ``plan``, or a plain question string)."""
    if not history:
        return None
    last = history[-1]
    plan = getattr(last, "plan", None)
    if isinstance(plan, Plan):
        return plan
    text = last if isinstance(last, str) else getattr(last, "question", "")
    return parse(str(text)) if text else None


# endings that make another word of a corpus word ('drows' → 'drowsy'), not a slip of the keyboard
DERIVING = ("y", "ly", "ily", "ness", "iness", "ish", "ful", "less", "ive", "ic", "al")


class Speller:
    """Typos mended against the words of the corpus ('prohibted practises' → 'prohibited
    practices'), so that a casual question reaches the provisions it means. Only words of five
    letters or more that the corpus never uses are changed, and only to a close, frequent word;
    ``known`` words (ordinary English the corpus does not use: 'bought', 'shelf') never are."""

    def __init__(self, texts, known: frozenset[str] = frozenset()):
        from collections import Counter

        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2)
        self.counts = counts
        self.known = known
        self.by_start: dict[str, list[str]] = {}
        for w in counts:
            self.by_start.setdefault(w[:1], []).append(w)

    def word(self, w: str) -> str:
        import difflib

        low = w.lower()
        if len(low) < 5 or low in self.counts or low in self.known or not low.isalpha():
            return w
        candidates = [c for c in self.by_start.get(low[:1], ()) if abs(len(c) - len(low)) <= 2]
        close = difflib.get_close_matches(low, candidates, n=3, cutoff=0.88)
        if not close:
            return w
        best = max(close, key=lambda c: (difflib.SequenceMatcher(None, low, c).ratio(), self.counts[c]))
        if low.startswith(best) and low[len(best):] in DERIVING:  # 'drowsy' is no typo of 'drows'
            return w
        # 'fining' is a form of 'fine', not a typo of 'finding'; 'labeling' is the corpus's
        # 'labelling' spelt the American way, and becomes it
        if self.inflected(low) and not (self._bases(low) & self._bases(best)):
            return w
        return best

    @staticmethod
    def _bases(low: str) -> set[str]:
        out = {low}
        for suffix in ("ing", "ed", "es", "s", "er", "ers", "ly"):
            if low.endswith(suffix) and len(low) - len(suffix) >= 3:
                base = low[:-len(suffix)]
                out |= {base, base + "e"} | ({base[:-1]} if len(base) > 3 and base[-1] == base[-2] else set())
        return out

    def inflected(self, low: str) -> bool:
        """A form of a word the corpus uses ('fining' of 'fine', 'labelled' of 'label',
        'stopping' of 'stop'): a real word, not a typo to mend."""
        for suffix in ("ing", "ed", "es", "s", "er", "ers", "ly"):
            if low.endswith(suffix) and len(low) - len(suffix) >= 3:
                base = low[:-len(suffix)]
                if base in self.counts or base + "e" in self.counts or base in self.known or base + "e" in self.known \
                        or (len(base) > 3 and base[-1] == base[-2] and base[:-1] in self.counts):
                    return True
        return False

    def correct(self, text: str) -> str:
        return re.sub(r"[A-Za-z]+", lambda m: self.word(m.group(0)), text)
