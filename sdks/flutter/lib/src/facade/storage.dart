part of 'facade.dart';

// Where the client keeps its tokens: pluggable ([TokenStorage]), in memory by default. A
// Flutter app that should stay signed in across restarts plugs in its own store, e.g. over
// flutter_secure_storage (not a dependency of this package):
//
//   class SecureTokenStorage implements TokenStorage {
//     SecureTokenStorage(this._store);
//     final FlutterSecureStorage _store;
//     @override
//     Future<Tokens?> read() async {
//       final String? raw = await _store.read(key: 'janua.tokens');
//       return raw == null ? null : Tokens.fromJson(jsonDecode(raw) as Map<String, dynamic>);
//     }
//     @override
//     Future<void> write(Tokens? tokens) => tokens == null
//         ? _store.delete(key: 'janua.tokens')
//         : _store.write(key: 'janua.tokens', value: jsonEncode(tokens.toJson()));
//   }

/// The current sign-in as the client keeps it.
class Tokens {
  const Tokens({required this.accessToken, this.refreshToken, this.expiresAt});

  /// Refresh this long before the access token expires.
  static const Duration expirySkew = Duration(seconds: 30);

  /// From what [toJson] wrote; throws [FormatException] on anything else.
  factory Tokens.fromJson(Map<String, dynamic> json) {
    final Object? access = json['access_token'];
    if (access is! String) {
      throw const FormatException('Tokens.fromJson: access_token is missing');
    }
    final Object? refresh = json['refresh_token'];
    final Object? expires = json['expires_at'];
    return Tokens(
      accessToken: access,
      refreshToken: refresh is String ? refresh : null,
      expiresAt: expires is int ? DateTime.fromMillisecondsSinceEpoch(expires, isUtc: true) : null,
    );
  }

  /// The bearer token sent with calls that need a session. Empty when only a refresh token is
  /// known (the next call refreshes first).
  final String accessToken;

  /// Single-use: every refresh answers a new one, and the client keeps it.
  final String? refreshToken;

  /// When [accessToken] expires; null when unknown.
  final DateTime? expiresAt;

  /// True when [accessToken] is expired, or expires within [expirySkew].
  bool isExpired([DateTime? now]) {
    final DateTime? at = expiresAt;
    if (at == null) {
      return accessToken.isEmpty;
    }
    return !(now ?? DateTime.now()).isBefore(at.subtract(expirySkew));
  }

  /// True when the client can get a new access token by itself.
  bool get canRefresh => refreshToken != null && refreshToken!.isNotEmpty;

  Map<String, dynamic> toJson() => <String, dynamic>{
        'access_token': accessToken,
        if (refreshToken != null) 'refresh_token': refreshToken,
        if (expiresAt != null) 'expires_at': expiresAt!.millisecondsSinceEpoch,
      };

  @override
  String toString() => 'Tokens(expiresAt: $expiresAt, refreshable: $canRefresh)';
}

/// Where a [Janua] client keeps its [Tokens]. Implementations may be asynchronous (secure
/// storage plugins are).
abstract class TokenStorage {
  Future<Tokens?> read();

  /// Replaces what is stored; null signs out.
  Future<void> write(Tokens? tokens);
}

/// The default: one sign-in in memory, gone with the process.
class MemoryTokenStorage implements TokenStorage {
  MemoryTokenStorage([Tokens? tokens]) : _tokens = tokens;

  Tokens? _tokens;

  @override
  Future<Tokens?> read() => Future<Tokens?>.value(_tokens);

  @override
  Future<void> write(Tokens? tokens) {
    _tokens = tokens;
    return Future<void>.value();
  }
}

/// The `exp` claim of a JWT, read without verification (only to schedule a refresh).
DateTime? _jwtExpiry(String token) {
  final List<String> parts = token.split('.');
  if (parts.length < 2) {
    return null;
  }
  try {
    final String payload = utf8.decode(base64Url.decode(base64Url.normalize(parts[1])));
    final Object? claims = jsonDecode(payload);
    if (claims is Map<String, dynamic>) {
      final Object? exp = claims['exp'];
      if (exp is num) {
        return DateTime.fromMillisecondsSinceEpoch((exp * 1000).round(), isUtc: true);
      }
    }
  } on FormatException {
    return null;
  }
  return null;
}

/// The tokens of a token answer. [previous] supplies the refresh token when the answer has none
/// (switching organization answers only a new access token).
Tokens _tokensFrom(TokenPair pair, Tokens? previous) {
  return Tokens(
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken ?? previous?.refreshToken,
    expiresAt: DateTime.now().toUtc().add(Duration(seconds: pair.expiresIn)),
  );
}

/// The tokens a client starts with, from the constructor's `accessToken` / `refreshToken`.
Tokens? _initialTokens(String? accessToken, String? refreshToken) {
  if (accessToken != null && accessToken.isNotEmpty) {
    return Tokens(
        accessToken: accessToken, refreshToken: refreshToken, expiresAt: _jwtExpiry(accessToken));
  }
  if (refreshToken != null && refreshToken.isNotEmpty) {
    // No access token yet: an empty one counts as expired, so the first call refreshes.
    return Tokens(accessToken: '', refreshToken: refreshToken);
  }
  return null;
}
