// The console opens with one tab per moderation task: the documents of the README's
// "For moderators" section, with the ids and reasons as variables to fill in.

const tab = (query, variables) => ({ query: query.trim() + "\n", variables });
const json = (value) => JSON.stringify(value, null, 2);
const weekFromNow = () => new Date(Date.now() + 7 * 86400e3).toISOString().replace(/\.\d+Z$/, "Z");

export const examples = [
  tab(
    `
# Sign in above, then run (Ctrl-Enter). Comments with open
# reports, oldest report first (or orderBy: MOST_REPORTED).
# Next page: variables {"after": "<endCursor>"}.
query Queue($after: String) {
  moderationQueue(first: 20, after: $after, orderBy: OLDEST_REPORT) {
    totalCount
    edges {
      node {
        openReportCount
        reasons
        firstReportedAt
        lastReportedAt
        comment {
          id
          body
          status
          author { id displayName email }
          article { id title }
          reports(first: 10) {
            edges { node { reason note reporter { displayName } createdAt } }
          }
          revisions { body replacedAt replacedBy { displayName } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
    // GraphiQL 3.9 shows the first tab's query but not its variables: this one needs none
    null,
  ),
  tab(
    `
# Comments waiting for a moderator (a pre-moderated article,
# a new commenter's first comments, a suspect word), oldest first.
query Pending($after: String) {
  pendingComments(first: 20, after: $after) {
    edges {
      node {
        id
        body
        createdAt
        author { id displayName }
        article { id title moderationMode }
        parent { id body }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
    json({ after: null }),
  ),
  tab(
    `
# Publish a pending comment (removeComment rejects it).
mutation Approve($commentId: ID!, $reason: String!) {
  approveComment(input: {commentId: $commentId, reason: $reason}) {
    __typename
    ... on Comment { id status }
    ... on Error { message }
  }
}`,
    json({ commentId: "COMMENT-ID", reason: "within the rules" }),
  ),
  tab(
    `
# Make a published comment an editors' pick
# (unfeatureComment takes it back).
mutation Feature($commentId: ID!, $reason: String!) {
  featureComment(input: {commentId: $commentId, reason: $reason}) {
    __typename
    ... on Comment { id featured }
    ... on Error { message }
  }
}`,
    json({ commentId: "COMMENT-ID", reason: "insightful" }),
  ),
  tab(
    `
# Replace a comment's text (the original is kept).
mutation Amend($commentId: ID!, $body: String!, $reason: String!) {
  amendComment(input: {commentId: $commentId, body: $body, reason: $reason}) {
    __typename
    ... on Comment { id body amendedByModerator }
    ... on Error { message }
  }
}`,
    json({ commentId: "42", body: "[personal details removed]", reason: "doxxing" }),
  ),
  tab(
    `
# Take a comment down (a tombstone stays if it has replies).
mutation Remove($commentId: ID!, $reason: String!) {
  removeComment(input: {commentId: $commentId, reason: $reason}) {
    __typename
    ... on Comment { id status }
    ... on Error { message }
  }
}`,
    json({ commentId: "42", reason: "abuse" }),
  ),
  tab(
    `
# Publish a removed or hidden comment again.
mutation Restore($commentId: ID!, $reason: String!) {
  restoreComment(input: {commentId: $commentId, reason: $reason}) {
    __typename
    ... on Comment { id status }
    ... on Error { message }
  }
}`,
    json({ commentId: "42", reason: "reports unfounded" }),
  ),
  tab(
    `
# Resolve the open reports, leave the comment up
# (a hidden one is published again).
mutation Dismiss($commentId: ID!, $reason: String!) {
  dismissReports(input: {commentId: $commentId, reason: $reason}) {
    __typename
    ... on Comment { id status openReportCount }
    ... on Error { message }
  }
}`,
    json({ commentId: "42", reason: "fair comment" }),
  ),
  tab(
    `
# Stop a reader commenting until a time
# (at most a year ahead; ban instead).
mutation Suspend($userId: ID!, $until: DateTime!, $reason: String!) {
  suspendUser(input: {userId: $userId, until: $until, reason: $reason}) {
    __typename
    ... on User { id displayName status suspendedUntil }
    ... on Error { message }
  }
}`,
    json({ userId: "7", until: weekFromNow(), reason: "repeated abuse" }),
  ),
  tab(
    `
# The append-only moderation log, newest first;
# filter by userId or commentId.
query Log($userId: ID, $commentId: ID) {
  moderationLog(first: 20, userId: $userId, commentId: $commentId) {
    edges {
      node {
        kind reason createdAt
        moderator { displayName }
        comment { id }
        targetUser { displayName }
        previousBody newBody
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
    json({ userId: null, commentId: null }),
  ),
];
