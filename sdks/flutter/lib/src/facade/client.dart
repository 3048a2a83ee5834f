part of 'facade.dart';

// `Janua`: the machinery every namespaced method shares. A method (generated/namespaces.g.dart,
// written by `python -m codegen`) hands `_send` the operationId and a closure calling the
// generated method of that name; `_send` attaches the stored access token (refreshing it first
// when it is about to expire), runs the closure with a per-call context in a Zone, where the
// transport (retry.dart) finds it, turns the generated `ApiException` into a typed
// `JanuaException`, and after a 401 TOKEN_ERROR refreshes once (one refresh in flight, shared by
// concurrent calls) and tries again.

/// The Zone key under which a call's [_CallContext] travels to the transport.
final Object _callKey = Object();

/// Options of one call; the client's defaults otherwise.
class CallOptions {
  const CallOptions({this.headers, this.timeout, this.maxRetries, this.abortTrigger});

  /// Added to (or overriding) the client's headers, e.g. `Authorization: Basic ...` for the
  /// OAuth endpoints' client authentication.
  final Map<String, String>? headers;

  /// Per attempt; [Duration.zero] disables it.
  final Duration? timeout;

  /// Retries after the first attempt.
  final int? maxRetries;

  /// Completing it aborts the call (and any wait between retries): a [NetworkException] with
  /// `aborted` set.
  final Future<void>? abortTrigger;
}

/// What one facade call tells the transport, and what the transport tells it back.
class _CallContext {
  _CallContext(this.accessToken, this.options,
      {required this.followRedirects, required this.retryUnavailable});

  final String? accessToken;
  final CallOptions? options;
  final bool followRedirects;

  /// False where a 503 carries a result (detailed health), so it is not retried.
  final bool retryUnavailable;

  /// The last answer the transport received for this call.
  _Answer? answer;
  bool aborted = false;
}

/// A generated method's result, with the answer it came from.
class _Outcome<T> {
  _Outcome(this.value, this.answer);

  final T value;
  final _Answer? answer;
}

String _trimTrailingSlashes(String url) {
  String trimmed = url;
  while (trimmed.endsWith('/')) {
    trimmed = trimmed.substring(0, trimmed.length - 1);
  }
  return trimmed;
}

T _required<T extends Object>(T? value, String operationId) {
  if (value == null) {
    throw JanuaException('$operationId: the server answered without a body');
  }
  return value;
}

/// The Janua client: `janua.auth.login(LoginRequest(...))`, `await janua.auth.me()`,
/// `await for (final Session s in janua.sessions.list()) ...`. Arguments and results are the
/// generated model classes; failures throw [JanuaException] subclasses.
class Janua with _JanuaNamespaces {
  /// [baseUrl] is where the server listens, e.g. `http://localhost:4100` (operation paths
  /// carry `/api/v1`). [accessToken] / [refreshToken] start the client signed in (written to
  /// [tokenStorage], replacing what it holds). [httpClient] replaces package:http's default
  /// `Client()` (closed by [close] only when the client created it). [timeout] applies per
  /// attempt ([Duration.zero] disables it); [headers] go with every request.
  factory Janua({
    required String baseUrl,
    String? accessToken,
    String? refreshToken,
    TokenStorage? tokenStorage,
    http.Client? httpClient,
    Duration timeout = const Duration(seconds: 10),
    RetryPolicy retry = const RetryPolicy(),
    Map<String, String> headers = const <String, String>{},
  }) {
    final String base = _trimTrailingSlashes(baseUrl);
    final _JanuaHttpClient transport = _JanuaHttpClient(
      httpClient ?? http.Client(),
      httpClient == null,
      retry,
      timeout,
      Map<String, String>.of(headers),
    );
    final ApiClient apiClient = ApiClient(basePath: base);
    apiClient.client = transport;
    return Janua._(
      base,
      tokenStorage ?? MemoryTokenStorage(),
      transport,
      apiClient,
      _initialTokens(accessToken, refreshToken),
    );
  }

  Janua._(this.baseUrl, this.tokenStorage, this._transport, this.apiClient, Tokens? initial)
      : _ready = initial == null ? Future<void>.value() : tokenStorage.write(initial);

  final String baseUrl;
  final TokenStorage tokenStorage;

  /// The generated low-level client, sharing this client's transport (timeouts, retries); no
  /// tokens, refresh or typed errors. For what the facade does not cover.
  final ApiClient apiClient;

  final _JanuaHttpClient _transport;
  final Future<void> _ready;
  Future<TokenPair>? _refreshing;

  // The namespaces (`auth`, `organizations`, ...) and the generated API classes they call come
  // from the mixin generated into generated/namespaces.g.dart.
  @override
  Janua get _self => this;

  /// The stored sign-in, or null.
  Future<Tokens?> getTokens() async {
    await _ready;
    return tokenStorage.read();
  }

  /// Replaces the stored sign-in (null signs out locally, without telling the server).
  Future<void> setTokens(Tokens? tokens) async {
    await _ready;
    await tokenStorage.write(tokens);
  }

  /// Closes the HTTP client, if this client created it.
  void close() {
    _transport.close();
  }

  // -- plumbing --------------------------------------------------------------------------------

  /// Runs [send] (a call of the generated method named [operationId]) as described at the top
  /// of this file and returns its result. [public]: the operation takes no session token
  /// (none is sent, a 401 is not answered with a refresh). [bearer]: send this token instead
  /// (an OAuth access token for userinfo).
  Future<T> _send<T>(
    String operationId,
    Future<T> Function() send,
    CallOptions? options, {
    bool public = false,
    String? bearer,
  }) async {
    final _Outcome<T> outcome =
        await _run(operationId, send, options, public: public, bearer: bearer);
    return outcome.value;
  }

  /// [_send], returning the answer too. [followRedirects]: false for the OAuth browser
  /// endpoints, whose result is the `Location`. [retryUnavailable]: false where a 503 is a
  /// result.
  Future<_Outcome<T>> _run<T>(
    String operationId,
    Future<T> Function() send,
    CallOptions? options, {
    bool public = false,
    String? bearer,
    bool followRedirects = true,
    bool retryUnavailable = true,
  }) async {
    await _ready;
    final Tokens? used = public ? null : await _freshTokens();
    try {
      return await _attempt(operationId, send, options, bearer ?? used?.accessToken,
          followRedirects, retryUnavailable);
    } on TokenException catch (error) {
      if (used == null || !used.canRefresh || error.status != 401) {
        rethrow;
      }
      final Tokens? renewed = await _refreshAfter(used);
      return _attempt(operationId, send, options, renewed?.accessToken, followRedirects,
          retryUnavailable);
    }
  }

  Future<_Outcome<T>> _attempt<T>(
    String operationId,
    Future<T> Function() send,
    CallOptions? options,
    String? accessToken,
    bool followRedirects,
    bool retryUnavailable,
  ) async {
    final _CallContext context = _CallContext(accessToken, options,
        followRedirects: followRedirects, retryUnavailable: retryUnavailable);
    try {
      final T value = await runZoned(send, zoneValues: <Object?, Object?>{_callKey: context});
      return _Outcome<T>(value, context.answer);
    } on ApiException catch (error) {
      throw _translate(operationId, error, context.answer);
    }
  }

  /// The typed error for what a generated method threw. The generated code keeps only the
  /// status and body of a failed answer; the transport recorded the whole answer, headers
  /// included, and wrapped network failures are unwrapped.
  JanuaException _translate(String operationId, ApiException error, _Answer? answer) {
    final Exception? inner = error.innerException;
    if (inner is JanuaException) {
      return inner;
    }
    if (answer != null && answer.status >= 400) {
      return _errorFromResponse(answer.status, answer.headers, answer.body, cause: error);
    }
    if (answer != null) {
      return JanuaException(
        '$operationId: the ${answer.status} answer could not be read: ${error.message}',
        status: answer.status,
        cause: inner ?? error,
      );
    }
    if (inner != null) {
      return NetworkException('$operationId: ${error.message}', cause: inner);
    }
    final List<int> body = utf8.encode(error.message ?? '');
    return _errorFromResponse(error.code, const <String, String>{}, body, cause: error);
  }

  /// The stored tokens, refreshed first when the access token is (about to be) expired.
  Future<Tokens?> _freshTokens() async {
    final Tokens? tokens = await tokenStorage.read();
    if (tokens != null && tokens.isExpired() && tokens.canRefresh) {
      await _sharedRefresh();
      return tokenStorage.read();
    }
    return tokens;
  }

  /// After [used] was refused: refresh, unless another call already replaced it meanwhile.
  Future<Tokens?> _refreshAfter(Tokens used) async {
    final Tokens? current = await tokenStorage.read();
    if (current != null && current.accessToken != used.accessToken) {
      return current;
    }
    await _sharedRefresh();
    return tokenStorage.read();
  }

  /// One refresh at a time: concurrent callers await the same Future.
  Future<TokenPair> _sharedRefresh() {
    return _refreshing ??= _refresh(null, null, null).whenComplete(() {
      _refreshing = null;
    });
  }

  /// Spends the refresh token ([explicit], or the stored one) and stores the new pair.
  Future<TokenPair> _refresh(String? explicit, String? organizationId, CallOptions? options) async {
    await _ready;
    final Tokens? current = await tokenStorage.read();
    final String? refreshToken = explicit ?? current?.refreshToken;
    if (refreshToken == null || refreshToken.isEmpty) {
      throw TokenException('no refresh token to refresh with: sign in first', code: 'TOKEN_ERROR');
    }
    final RefreshRequest request =
        RefreshRequest(refreshToken: refreshToken, organizationId: organizationId);
    final TokenPair? pair;
    try {
      pair = await _send(
        'refreshToken',
        () => _authApi.refreshToken(request),
        options,
        public: true,
      );
    } on TokenException {
      // A refused refresh token will not get better: forget the dead sign-in (if still ours).
      if (explicit == null) {
        final Tokens? now = await tokenStorage.read();
        if (now != null &&
            now.refreshToken == current?.refreshToken &&
            now.accessToken == current?.accessToken) {
          await tokenStorage.write(null);
        }
      }
      rethrow;
    }
    final TokenPair fresh = _required(pair, 'refreshToken');
    // A rotation: the old refresh token is spent, so nothing of the old sign-in is kept.
    await tokenStorage.write(_tokensFrom(fresh, null));
    return fresh;
  }

  /// Keeps the tokens of a sign-in answer. [keepRefreshToken]: the answer may carry no refresh
  /// token (switching organization), and the stored one stays valid.
  Future<void> _keep(TokenPair pair, {bool keepRefreshToken = false}) async {
    await _ready;
    final Tokens? previous = keepRefreshToken ? await tokenStorage.read() : null;
    await tokenStorage.write(_tokensFrom(pair, previous));
  }
}

/// What an OAuth browser endpoint answered: the `Location` of a redirect, else the page.
String _redirectTarget(_Answer? answer, String? page) {
  if (answer != null && answer.status >= 300 && answer.status < 400) {
    return answer.headers['location'] ?? '';
  }
  if (page != null) {
    return page;
  }
  return answer == null ? '' : utf8.decode(answer.body, allowMalformed: true);
}

/// A text answer (the NDJSON audit export), decoded here as UTF-8: the generated method decodes
/// a body whose content type names no charset with package:http's default (latin1), which
/// garbles non-ASCII text.
String _textOf(_Outcome<String?> outcome) {
  final _Answer? answer = outcome.answer;
  if (answer == null) {
    return outcome.value ?? '';
  }
  return utf8.decode(answer.body, allowMalformed: true);
}
