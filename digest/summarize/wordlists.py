"""Word lists the hashtag chooser leaves out: not names, demonyms, judgements, generic nouns.

Compared lower-case. The lists are closed and small on purpose; the chooser also tests each
word against the story itself (a capitalised word the story also writes in lower case is a
common word, not a name).
"""

from __future__ import annotations

_WORDLISTS = {
    # Capitalised by the calendar, by grammar, or a title before a name.
    "not_names": """
        monday tuesday wednesday thursday friday saturday sunday january february march april
        may june july august september october november december mr mrs ms dr sir lord lady
        president minister secretary chairman chief prime senator governor king queen prince
        rev sen gov gen st mp mep
        """,
    # Nationality, religious and regional adjectives: they describe, they are not the topic.
    "demonyms": """
        american british english scottish welsh irish french german italian spanish portuguese
        dutch belgian swiss austrian swedish norwegian danish finnish polish russian ukrainian
        greek turkish israeli palestinian iranian iraqi syrian egyptian saudi afghan pakistani
        indian chinese japanese korean vietnamese thai indonesian australian canadian mexican
        brazilian argentine argentinian colombian venezuelan cuban salvadoran guatemalan
        honduran nicaraguan african nigerian kenyan european asian arab muslim christian
        jewish catholic latin western eastern northern southern jordanian lebanese yemeni
        libyan tunisian algerian moroccan sudanese ethiopian somali ghanaian ugandan
        tanzanian rwandan congolese zimbabwean angolan senegalese cameroonian malian
        qatari emirati kuwaiti bahraini omani kurdish armenian georgian azerbaijani kazakh
        uzbek mongolian tibetan taiwanese filipino malaysian singaporean burmese cambodian
        laotian nepalese bangladeshi sri lankan peruvian chilean bolivian ecuadorian
        uruguayan paraguayan dominican haitian jamaican puerto rican serbian croatian
        bosnian slovenian slovak czech hungarian romanian bulgarian albanian macedonian
        lithuanian latvian estonian belarusian moldovan icelandic maltese cypriot
        hispanic sunni shia shiite hindu sikh buddhist protestant orthodox evangelical
        """,
    # Evaluative adjectives: a hashtag names a subject, it does not judge it.
    "evaluative": """
        violent dangerous notorious shocking brutal horrific horrible terrible evil great best
        worst amazing awful controversial radical extreme crazy disgusting heroic tragic
        disastrous outrageous incredible stunning massive huge illegal corrupt poor rich good
        bad pretty ugly afraid different enough drunk guilty innocent private standard
        """,
    # Common nouns and other words too general to be what a story is about.
    "generic": """
        people person persons years year times time months month weeks week days day hours
        first second third other there these those would could should about after before
        where while which their being according including called percent million billion
        number group groups place world country countries government official officials
        president company companies state states added half century light market markets
        black white report reports issue issues every stuff information balance future
        event events collection cases case charges nations nation capacity programmes
        programme program programs forces force women woman children child girls girl boys
        boy brothers brother sisters sister family families father mother dad mum parents
        friends friend house home homes party parties law laws rates rate record records
        match matches keeper reports story stories news statement statements thing things
        part parts side sides way ways lot lots kind kinds end point points level levels
        area areas city cities town towns line lines plan plans deal deals move moves
        change changes problem problems question questions result results system systems
        money work works job jobs life lives name names member members team teams head
        office room water hand hands eye eyes word words fact facts power right rights
        service services business businesses industry interest value values price prices
        cost costs rise fall growth figures figure data research study studies view views
        support action actions effort efforts decision decisions process role roles term
        terms period periods show shows game games season seasons week weekend morning
        night evening today yesterday tomorrow month spokesman spokeswoman spokesperson
        reporter reporters source sources expert experts analyst analysts director
        manager managers leader leaders staff users user customers customer public
        community communities school schools student students member everyone someone
        anyone nothing something everything anything others another whole several
        prime share shares partner partners player players worker workers parent son
        daughter wife husband episode candidate candidates territory quarter annual
        economic young foreign double fourth fifth sixth seventh eighth ninth tenth
        sexual political social national local federal former recent early late
        comment comments release trust judge judges charge letter letters ideal dinner
        burden stall
        """,
}
NOT_NAMES, DEMONYMS, EVALUATIVE, GENERIC = (
    frozenset(_WORDLISTS[key].split()) for key in ("not_names", "demonyms", "evaluative", "generic")
)
# Words that may sit inside a name: "Mary Queen of Scots", "Luiz Inácio Lula da Silva".
CONNECTORS = frozenset("of de del della da do dos das di du la le van von der den al el y".split())
# Words that are a space-separated script's grammar, not its topics (Arabic, Hebrew, Persian).
UNCASED_STOPWORDS = frozenset(
    """
    في من على إلى عن أن إن هذا هذه ذلك تلك التي الذي الذين مع كان كانت قد لا ما لم لن بين بعد
    قبل حتى عند كل أو ثم قال وقال وفي هو هي هم نحن أنا أيضا منذ خلال حيث لكن غير عام اليوم
    של את על עם זה זו הוא היא הם גם אבל כי לא כל אשר או
    این که در به از را با است برای آن یک تا هم
    """.split()
)
