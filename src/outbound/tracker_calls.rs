//! The part of the `Tracker` port every tracker adapter implements the same way: each call
//! owns its arguments and runs the adapter's own `find_in`, `open_in`, `comment_on` and
//! `check_all`, and a private target is whatever `security_project` named.

/// Expands, inside `impl Tracker for X`, to `has_private`, `find`, `open`, `comment` and
/// `check` over `X`'s `private` field and its `find_in`, `open_in`, `comment_on`, `check_all`.
macro_rules! tracker_calls {
    () => {
        fn has_private(&self) -> bool {
            self.private.is_some()
        }

        fn find(
            &self,
            marker: &str,
            private: bool,
        ) -> BoxFuture<'_, Result<Option<Ticket>, TrackerError>> {
            let marker = marker.to_owned();
            Box::pin(async move { self.find_in(&marker, private).await })
        }

        fn open(&self, ticket: &NewTicket) -> BoxFuture<'_, Result<Ticket, TrackerError>> {
            let ticket = ticket.clone();
            Box::pin(async move { self.open_in(&ticket).await })
        }

        fn comment(
            &self,
            ticket: &Ticket,
            text: &[Paragraph],
            marker: &str,
        ) -> BoxFuture<'_, Result<(), TrackerError>> {
            let (ticket, text, marker) = (ticket.clone(), text.to_vec(), marker.to_owned());
            Box::pin(async move { self.comment_on(&ticket, &text, &marker).await })
        }

        fn check(&self) -> BoxFuture<'_, Result<(), TrackerError>> {
            Box::pin(self.check_all())
        }
    };
}
