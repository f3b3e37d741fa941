"""What the bench sends: the thread page signed out and in, the writes, and the seed's names."""

ARTICLE = "bench-article"
PAGE_FIELDS = "id body createdAt replyCount author { displayName }"
ANONYMOUS_PAGE = (
    "query Thread($id: ID!, $after: String) { article(id: $id) { commentCount "
    f"comments(first: 20, after: $after) {{ edges {{ node {{ {PAGE_FIELDS} }} }} }} }} }}"
)
SIGNED_IN_PAGE = (
    "query Thread($id: ID!) { article(id: $id) { commentCount "
    "commentPermission { allowed reason } comments(first: 20) { edges { node { "
    f"{PAGE_FIELDS} viewerHasReported viewerCanEdit }} }} }} }} }}"
)
POST = "mutation P($i: PostCommentInput!) { postComment(input: $i) { __typename } }"
# the page a reader sees with recommendation counts (kept at most BTL_PUBLIC_MAX_AGE seconds)
COUNTED_PAGE = ANONYMOUS_PAGE.replace("replyCount", "replyCount recommendCount")
RANKED_PAGE = (
    "query Ranked($id: ID!, $after: String) { article(id: $id) { comments(first: 20, "
    "after: $after, orderBy: MOST_RECOMMENDED) { edges { node { id recommendCount } } } } }"
)
RECOMMEND = "mutation R($c: ID!) { recommendComment(commentId: $c) { __typename } }"
UNRECOMMEND = "mutation U($c: ID!) { unrecommendComment(commentId: $c) { __typename } }"
HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$h6g0wWqDkqbq5CkFqRjB2Qn3n8cOzJmXyH8cJQ0rQnE"
