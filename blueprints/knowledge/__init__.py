"""The network's question box and knowledge base (/netwerk/vragen, /netwerk/kennisbank).

Network-wide platform tables (no tenant): members ask questions before the meeting (by name or
anonymously towards other members), support them with a small vote budget and comment; the
network admin groups them into the programme and answers them; an answer becomes an article of
the knowledge base, which is versioned, cites its sources and says when it was last checked.
"""
