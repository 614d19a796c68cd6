//! The GraphQL documents sent to Linear. Each uses only fields and arguments of Linear's
//! published schema (checked by the tests against `tests/fixtures/linear/schema.graphql`).

/// Creates an issue.
pub const ISSUE_CREATE: &str = "mutation IssueCreate($input: IssueCreateInput!) { \
    issueCreate(input: $input) { success issue { id identifier url } } }";

/// Adds a comment.
pub const COMMENT_CREATE: &str = "mutation CommentCreate($input: CommentCreateInput!) { \
    commentCreate(input: $input) { success } }";

/// Moves an issue to another workflow state.
pub const ISSUE_UPDATE: &str = "mutation IssueUpdate($id: String!, $input: IssueUpdateInput!) { \
    issueUpdate(id: $id, input: $input) { success } }";

/// The team's workflow states.
pub const TEAM_STATES: &str = "query TeamStates($team: String!) { \
    team(id: $team) { id states { nodes { id type position } } } }";

/// The team's issue whose description carries a marker.
pub const FIND: &str = "query Find($team: ID!, $marker: String!) { \
    issues(first: 1, filter: { team: { id: { eq: $team } }, description: { contains: $marker } }) \
    { nodes { id identifier url } } }";

/// Who the key belongs to, and the team: the set-up check.
pub const CHECK: &str = "query Check($team: String!) { viewer { id } team(id: $team) { id key } }";

/// Every document, for the schema test.
pub const ALL: [&str; 6] = [
    ISSUE_CREATE,
    COMMENT_CREATE,
    ISSUE_UPDATE,
    TEAM_STATES,
    FIND,
    CHECK,
];
