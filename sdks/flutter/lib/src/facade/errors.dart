part of 'facade.dart';

// Typed errors, one class per problem+json `code` (RFC 9457), the same family as the
// TypeScript `JanuaError` and the Python `janua.JanuaError`. Every failure a facade method
// throws is a [JanuaException]; `status` is null only when no answer arrived at all.

/// The base of every error the facade throws.
class JanuaException implements Exception {
  JanuaException(
    this.message, {
    this.status,
    this.code,
    this.detail,
    this.requestId,
    this.problem,
    this.cause,
  });

  /// `"<status> <code>: <detail>"`, or a description of what went wrong locally.
  final String message;

  /// The HTTP status; null when no answer arrived.
  final int? status;

  /// Janua's stable code (`TOKEN_ERROR`, ...), or the RFC 6749 `error` of an OAuth endpoint.
  final String? code;

  final String? detail;

  /// The server's request id (the problem's `request_id`, or the `X-Request-ID` header).
  final String? requestId;

  /// The decoded error body (problem+json, or `{error, error_description}`), if it was JSON.
  final Map<String, dynamic>? problem;

  /// What caused this one (a socket error, a JSON error, ...), if anything.
  final Object? cause;

  @override
  String toString() => '$runtimeType: $message';
}

/// 400 BAD_REQUEST, and any other 4xx without a more specific class.
class BadRequestException extends JanuaException {
  BadRequestException(super.message,
      {super.status, super.code, super.detail, super.requestId, super.problem, super.cause});
}

/// 401 AUTHENTICATION_ERROR: wrong credentials, or no token at all.
class AuthenticationException extends JanuaException {
  AuthenticationException(super.message,
      {super.status, super.code, super.detail, super.requestId, super.problem, super.cause});
}

/// 401 TOKEN_ERROR: the access, refresh or link token is invalid, expired or revoked.
class TokenException extends AuthenticationException {
  TokenException(super.message,
      {super.status, super.code, super.detail, super.requestId, super.problem, super.cause});
}

/// 403 AUTHORIZATION_ERROR.
class AuthorizationException extends JanuaException {
  AuthorizationException(super.message,
      {super.status, super.code, super.detail, super.requestId, super.problem, super.cause});
}

/// 404 NOT_FOUND_ERROR.
class NotFoundException extends JanuaException {
  NotFoundException(super.message,
      {super.status, super.code, super.detail, super.requestId, super.problem, super.cause});
}

/// 409 CONFLICT_ERROR (e.g. the email is already registered).
class ConflictException extends JanuaException {
  ConflictException(super.message,
      {super.status, super.code, super.detail, super.requestId, super.problem, super.cause});
}

/// 5xx: INTERNAL_ERROR, or 503 when a backing service is down.
class ServerException extends JanuaException {
  ServerException(super.message,
      {super.status, super.code, super.detail, super.requestId, super.problem, super.cause});
}

/// 422 VALIDATION_ERROR; [errors] lists the invalid fields as JSON pointers.
class ValidationException extends JanuaException {
  ValidationException(super.message,
      {super.status,
      super.code,
      super.detail,
      super.requestId,
      super.problem,
      super.cause,
      this.errors = const <FieldError>[]});

  final List<FieldError> errors;
}

/// 429 RATE_LIMIT_ERROR; [retryAfter] is the server's `Retry-After` hint, null without one.
class RateLimitException extends JanuaException {
  RateLimitException(super.message,
      {super.status,
      super.code,
      super.detail,
      super.requestId,
      super.problem,
      super.cause,
      this.retryAfter});

  final Duration? retryAfter;
}

/// 403 MFA_REQUIRED, the answer of a password sign-in whose user has a second factor: finish
/// it with [mfaToken] (`janua.mfa.verifyChallenge(...)`, or a passkey), using one of
/// [mfaMethods].
class MfaRequiredException extends JanuaException {
  MfaRequiredException(super.message,
      {super.status,
      super.code,
      super.detail,
      super.requestId,
      super.problem,
      super.cause,
      required this.mfaToken,
      this.mfaMethods = const <MfaMethod>[],
      this.mfaTokenExpiresIn});

  final String mfaToken;
  final List<MfaMethod> mfaMethods;

  /// How long [mfaToken] stays valid, when the server said.
  final Duration? mfaTokenExpiresIn;
}

/// No answer: connection refused, DNS failure, reset, the per-attempt timeout elapsed
/// ([timedOut]), or the call's `abortTrigger` fired ([aborted]).
class NetworkException extends JanuaException {
  NetworkException(super.message,
      {super.cause, this.timedOut = false, this.aborted = false});

  final bool timedOut;
  final bool aborted;
}

String? _stringOf(Object? value) => value is String ? value : null;

/// The typed error for a non-2xx answer: [body] is the raw body (problem+json when the server
/// sent one), [headers] the answer's headers (lower-case names, as package:http gives them).
JanuaException _errorFromResponse(int status, Map<String, String> headers, List<int> body,
    {Object? cause}) {
  Map<String, dynamic>? problem;
  if (body.isNotEmpty) {
    try {
      final Object? decoded = jsonDecode(utf8.decode(body, allowMalformed: true));
      if (decoded is Map<String, dynamic>) {
        problem = decoded;
      }
    } on FormatException {
      problem = null;
    }
  }
  // RFC 6749 errors (the OAuth endpoints) carry `error` / `error_description` instead.
  final String? code = _stringOf(problem?['code']) ?? _stringOf(problem?['error']);
  final String? detail =
      _stringOf(problem?['detail']) ?? _stringOf(problem?['error_description']);
  final String? title = _stringOf(problem?['title']);
  final String? requestId = _stringOf(problem?['request_id']) ?? headers['x-request-id'];
  final String message = '$status ${code ?? 'HTTP_ERROR'}: ${detail ?? title ?? 'request failed'}';

  if (code == 'MFA_REQUIRED') {
    final Object? expiresIn = problem?['mfa_token_expires_in'];
    return MfaRequiredException(message,
        status: status,
        code: code,
        detail: detail,
        requestId: requestId,
        problem: problem,
        cause: cause,
        mfaToken: _stringOf(problem?['mfa_token']) ?? '',
        mfaMethods: MfaMethod.listFromJson(problem?['mfa_methods']),
        mfaTokenExpiresIn: expiresIn is int ? Duration(seconds: expiresIn) : null);
  }

  // A code this SDK does not know (e.g. the SSO_* family, or an OAuth `invalid_grant`) is
  // classified by the status instead; the exception keeps the server's code.
  final String kind =
      code != null && _knownCodes.contains(code) ? code : _codeForStatus(status);
  switch (kind) {
    case 'AUTHENTICATION_ERROR':
      return AuthenticationException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause);
    case 'TOKEN_ERROR':
      return TokenException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause);
    case 'AUTHORIZATION_ERROR':
      return AuthorizationException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause);
    case 'NOT_FOUND_ERROR':
      return NotFoundException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause);
    case 'CONFLICT_ERROR':
      return ConflictException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause);
    case 'VALIDATION_ERROR':
      return ValidationException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause,
          errors: _fieldErrors(problem?['errors']));
    case 'RATE_LIMIT_ERROR':
      return RateLimitException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause,
          retryAfter: _parseRetryAfter(headers['retry-after']));
    case 'INTERNAL_ERROR':
      return ServerException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause);
    case 'BAD_REQUEST':
      return BadRequestException(message,
          status: status,
          code: code,
          detail: detail,
          requestId: requestId,
          problem: problem,
          cause: cause);
  }
  return JanuaException(message,
      status: status,
      code: code,
      detail: detail,
      requestId: requestId,
      problem: problem,
      cause: cause);
}

const Set<String> _knownCodes = <String>{
  'BAD_REQUEST',
  'AUTHENTICATION_ERROR',
  'TOKEN_ERROR',
  'AUTHORIZATION_ERROR',
  'NOT_FOUND_ERROR',
  'CONFLICT_ERROR',
  'VALIDATION_ERROR',
  'RATE_LIMIT_ERROR',
  'INTERNAL_ERROR',
};

/// The problem's `errors[]` (`{pointer, detail}` objects); anything else is skipped.
List<FieldError> _fieldErrors(Object? raw) {
  final List<FieldError> errors = <FieldError>[];
  if (raw is List) {
    for (final Object? item in raw) {
      if (item is Map) {
        errors.add(FieldError(
            pointer: '${item['pointer'] ?? ''}', detail: '${item['detail'] ?? ''}'));
      }
    }
  }
  return errors;
}

/// The code a status stands for when the body names none (or one this SDK does not know).
String _codeForStatus(int status) {
  if (status == 401) {
    return 'AUTHENTICATION_ERROR';
  }
  if (status == 403) {
    return 'AUTHORIZATION_ERROR';
  }
  if (status == 404) {
    return 'NOT_FOUND_ERROR';
  }
  if (status == 409) {
    return 'CONFLICT_ERROR';
  }
  if (status == 422) {
    return 'VALIDATION_ERROR';
  }
  if (status == 429) {
    return 'RATE_LIMIT_ERROR';
  }
  if (status >= 500) {
    return 'INTERNAL_ERROR';
  }
  if (status >= 400) {
    return 'BAD_REQUEST';
  }
  return 'HTTP_ERROR';
}
