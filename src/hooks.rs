//! The behaviour every generated domain client shares, as `progenitor_client::ClientHooks`.
//! The generator invokes [`impl_client_hooks!`] once per domain client.

/// Implements `ClientHooks<RequestContext>` for a generated domain client: adds the client's
/// headers to each request.
macro_rules! impl_client_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::RequestContext> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                $crate::hooks::add_headers(progenitor_client::ClientInfo::inner(self), request);
                Ok(())
            }
        }
    };
}
pub(crate) use impl_client_hooks;

/// Adds the context's headers that the request does not set itself.
pub(crate) fn add_headers(context: &crate::RequestContext, request: &mut reqwest::Request) {
    let headers = request.headers_mut();
    for (name, value) in context.headers() {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
}
