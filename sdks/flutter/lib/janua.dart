/// Client for the Janua API.
///
/// [Janua] (src/facade) is the client to use: namespaces per spec tag, tokens
/// kept and refreshed, retries, timeouts, typed errors, auto-paginating streams. It works on
/// the generated wire layer under src/generated (models such as `LoginRequest` and `User`, and
/// the low-level `ApiClient` / `AuthApi` / ...), rewritten by `python -m codegen` from
/// spec/openapi.yaml. See README.md for what is and is not verified about either.
library janua;

export 'src/facade/facade.dart';
export 'src/generated/api.dart';
