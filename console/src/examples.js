// The console opens with one tab per moderation task: the documents of the README's
// "For moderators" section, with the ids and reasons as variables to fill in. The ids are
// placeholders that match no row: running a tab unchanged answers NotFound, never acts.

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
            edges {
              node { reason note reporter { displayName } createdAt }
            }
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
# Put a comment id from the Queue tab in the variables.
# Replace a comment's text (the original is kept).
mutation Amend($commentId: ID!, $body: String!, $reason: String!) {
  amendComment(input: {commentId: $commentId, body: $body, reason: $reason}) {
    __typename
    ... on Comment { id body amendedByModerator }
    ... on Error { message }
  }
}`,
    json({ commentId: "COMMENT-ID", body: "[personal details removed]", reason: "doxxing" }),
  ),
  tab(
    `
# Put a comment id from the Queue tab in the variables.
# Take a comment down (a tombstone stays if it has replies).
mutation Remove($commentId: ID!, $reason: String!) {
  removeComment(input: {commentId: $commentId, reason: $reason}) {
    __typename
    ... on Comment { id status }
    ... on Error { message }
  }
}`,
    json({ commentId: "COMMENT-ID", reason: "abuse" }),
  ),
  tab(
    `
# Put a comment id from the Queue tab in the variables.
# Publish a removed or hidden comment again.
mutation Restore($commentId: ID!, $reason: String!) {
  restoreComment(input: {commentId: $commentId, reason: $reason}) {
    __typename
    ... on Comment { id status }
    ... on Error { message }
  }
}`,
    json({ commentId: "COMMENT-ID", reason: "reports unfounded" }),
  ),
  tab(
    `
# Put a comment id from the Queue tab in the variables.
# Resolve the open reports, leave the comment up
# (a hidden one is published again).
mutation Dismiss($commentId: ID!, $reason: String!) {
  dismissReports(input: {commentId: $commentId, reason: $reason}) {
    __typename
    ... on Comment { id status openReportCount }
    ... on Error { message }
  }
}`,
    json({ commentId: "COMMENT-ID", reason: "fair comment" }),
  ),
  tab(
    `
# Put a user id from the Queue tab in the variables.
# Stop a reader commenting until a time
# (at most a year ahead; ban instead).
mutation Suspend($userId: ID!, $until: DateTime!, $reason: String!) {
  suspendUser(input: {userId: $userId, until: $until, reason: $reason}) {
    __typename
    ... on User { id displayName status suspendedUntil }
    ... on Error { message }
  }
}`,
    json({ userId: "USER-ID", until: weekFromNow(), reason: "repeated abuse" }),
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
  tab(
    `
# The legal queue: notices of illegal content (EU DSA Art. 16)
# and defamation complaints (Defamation Act 2013 s.5), nearest
# deadline first. overdue: a deadline passed with nothing done.
query LegalQueue($status: NoticeStatus, $after: String) {
  legalNotices(first: 20, status: $status, after: $after) {
    edges {
      node {
        id kind status overdue receivedAt
        posterNotifyBy posterNotifiedAt posterRespondBy
        notifierName notifierEmail
        legalGround meaning explanation consentsToShareDetails
        posterResponse { consentsToRemoval respondedAt name address consentsToShareDetails }
        comment { id body status author { id displayName } article { id title } }
        decision decidedAt decidedBy { displayName } decisionReason
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`,
    json({ status: "RECEIVED", after: null }),
  ),
  tab(
    `
# Act on a notice (Ctrl-Enter asks which operation to run).
# NotifyPoster: DEFAMATION only, before posterNotifyBy; the poster
#   may answer until posterRespondBy, else the comment comes down.
# RejectNotice: incomplete or unfounded on its face.
# DecideNotice: CONTENT_REMOVED or CONTENT_KEPT; the notifier is
#   told by mail, the poster gets a statement of reasons.
mutation NotifyPoster($noticeId: ID!, $reason: String!) {
  notifyPoster(input: {noticeId: $noticeId, reason: $reason}) {
    __typename
    ... on LegalNotice { id status posterRespondBy }
    ... on Error { message }
  }
}

mutation RejectNotice($noticeId: ID!, $reason: String!) {
  rejectNotice(input: {noticeId: $noticeId, reason: $reason}) {
    __typename
    ... on LegalNotice { id status decisionReason }
    ... on Error { message }
  }
}

mutation DecideNotice($noticeId: ID!, $decision: NoticeDecision!, $reason: String!) {
  decideNotice(input: {noticeId: $noticeId, decision: $decision, reason: $reason}) {
    __typename
    ... on LegalNotice { id status decision decidedAt comment { id status } }
    ... on Error { message }
  }
}`,
    json({ noticeId: "NOTICE-ID", decision: "CONTENT_REMOVED", reason: "unlawful under s.18" }),
  ),
  tab(
    `
# Appeals against statements of reasons (EU DSA Art. 20), oldest
# first; rule on one you did not decide yourself. reverse: true
# publishes the comment again or lifts the account restriction.
query Appeals {
  appeals(first: 20, status: OPEN) {
    edges {
      node {
        id explanation createdAt
        statement {
          id restriction ground reason automated createdAt
          comment { id body status author { displayName } }
          notice { id kind }
        }
      }
    }
  }
}

mutation DecideAppeal($appealId: ID!, $reverse: Boolean!, $reason: String!) {
  decideAppeal(input: {appealId: $appealId, reverse: $reverse, reason: $reason}) {
    __typename
    ... on Appeal { id status decidedAt decisionReason }
    ... on Error { message }
  }
}`,
    json({ appealId: "APPEAL-ID", reverse: false, reason: "the removal stands" }),
  ),
];
