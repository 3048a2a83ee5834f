part of 'facade.dart';

// One HTTP exchange with timeouts and retries: exponential backoff with full jitter,
// `Retry-After` (delta-seconds or HTTP date) honoured on 429 / 503. It is the package:http
// `Client` under the generated `ApiClient`, so every generated method goes through it.
//
// What is retried, and why it is safe:
// - 429 and 503, any method: the server says it did not process the request.
// - network failures and timeouts of idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE).
// - network failures of any method when the request cannot have left: the error says the
//   connection was refused, the host unknown or unreachable (a match on the error's text, the
//   only thing dart:io and browsers have in common). A POST or PATCH that may have reached the
//   server is not repeated: repeating it could, say, spend a refresh token twice, which the
//   server treats as theft.

/// How calls are retried; `Janua(retry: RetryPolicy(maxRetries: 0))` turns retries off.
class RetryPolicy {
  const RetryPolicy({
    this.maxRetries = 2,
    this.baseDelay = const Duration(milliseconds: 500),
    this.maxDelay = const Duration(seconds: 8),
    this.maxRetryAfter = const Duration(seconds: 60),
  });

  /// Retries after the first attempt.
  final int maxRetries;

  /// The first backoff cap; it doubles per retry, up to [maxDelay].
  final Duration baseDelay;
  final Duration maxDelay;

  /// A longer `Retry-After` than this is not waited for: the [RateLimitException] (or
  /// [ServerException]) is thrown at once, with `retryAfter` set.
  final Duration maxRetryAfter;

  /// Full jitter: uniform in [0, min(maxDelay, baseDelay * 2^attempt)).
  Duration backoff(int attempt, Random random) {
    final int doubling = 1 << min(attempt, 20);
    final int cap = min(maxDelay.inMilliseconds, baseDelay.inMilliseconds * doubling);
    return Duration(milliseconds: (random.nextDouble() * cap).floor());
  }
}

const Set<String> _idempotentMethods = <String>{'GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'};

/// Phrases of failures that happen before a request is sent (dart:io's SocketException texts).
const List<String> _neverSentPhrases = <String>[
  'Connection refused',
  'Failed host lookup',
  'No route to host',
  'Network is unreachable',
];

bool _neverSent(Object? error) {
  final String text = '$error';
  for (final String phrase in _neverSentPhrases) {
    if (text.contains(phrase)) {
      return true;
    }
  }
  return false;
}

const List<String> _months = <String>[
  'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', //
];

final RegExp _seconds = RegExp(r'^\d+(\.\d+)?$');
final RegExp _httpDate =
    RegExp(r'^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$');

/// A `Retry-After` value (delta-seconds, or an IMF-fixdate HTTP date) as a wait; null when
/// absent or unreadable.
Duration? _parseRetryAfter(String? value, [DateTime? now]) {
  if (value == null) {
    return null;
  }
  final String text = value.trim();
  if (_seconds.hasMatch(text)) {
    return Duration(milliseconds: (double.parse(text) * 1000).round());
  }
  final RegExpMatch? match = _httpDate.firstMatch(text);
  if (match == null) {
    return null;
  }
  final int month = _months.indexOf(match.group(2)!) + 1;
  if (month == 0) {
    return null;
  }
  final DateTime when = DateTime.utc(
    int.parse(match.group(3)!),
    month,
    int.parse(match.group(1)!),
    int.parse(match.group(4)!),
    int.parse(match.group(5)!),
    int.parse(match.group(6)!),
  );
  final Duration wait = when.difference((now ?? DateTime.now()).toUtc());
  return wait.isNegative ? Duration.zero : wait;
}

/// A whole answer, read into memory (Janua's answers are small JSON documents).
class _Answer {
  _Answer(this.status, this.headers, this.body, this.reasonPhrase, this.isRedirect);

  final int status;
  final Map<String, String> headers;
  final Uint8List body;
  final String? reasonPhrase;
  final bool isRedirect;

  http.StreamedResponse toStreamed(http.BaseRequest request) {
    return http.StreamedResponse(
      http.ByteStream.fromBytes(body),
      status,
      contentLength: body.length,
      request: request,
      headers: headers,
      isRedirect: isRedirect,
      reasonPhrase: reasonPhrase,
    );
  }
}

/// The package:http client under the generated `ApiClient`: adds the call's bearer token and
/// headers, applies the timeout, retries, and records the final answer on the call (so the
/// facade can read headers such as `Retry-After` and `Location`, which the generated methods
/// do not return).
class _JanuaHttpClient extends http.BaseClient {
  _JanuaHttpClient(this._inner, this._ownsInner, this._policy, this._timeout, this._headers);

  final http.Client _inner;
  final bool _ownsInner;
  final RetryPolicy _policy;

  /// Per attempt; [Duration.zero] disables it.
  final Duration _timeout;
  final Map<String, String> _headers;
  final Random _random = Random();

  @override
  Future<http.StreamedResponse> send(http.BaseRequest request) async {
    final Object? scoped = Zone.current[_callKey];
    final _CallContext? call = scoped is _CallContext ? scoped : null;
    final CallOptions? options = call?.options;
    final String method = request.method.toUpperCase();
    final int maxRetries = options?.maxRetries ?? _policy.maxRetries;
    final Duration timeout = options?.timeout ?? _timeout;
    final Future<void>? abortTrigger = options?.abortTrigger;
    final Uint8List body = await request.finalize().toBytes();

    for (int attempt = 0;; attempt++) {
      if (call != null && call.aborted) {
        throw NetworkException('$method ${request.url}: aborted by the caller', aborted: true);
      }
      final _Answer answer;
      try {
        answer = await _attempt(request, method, body, call, timeout, abortTrigger);
      } on NetworkException catch (error) {
        final bool retryable = !error.aborted &&
            (_idempotentMethods.contains(method) || (!error.timedOut && _neverSent(error.cause)));
        if (attempt >= maxRetries || !retryable) {
          rethrow;
        }
        await _wait(_policy.backoff(attempt, _random), abortTrigger);
        continue;
      }
      call?.answer = answer;
      final bool unavailable = answer.status == 429 ||
          (answer.status == 503 && (call == null || call.retryUnavailable));
      if (!unavailable || attempt >= maxRetries) {
        return answer.toStreamed(request);
      }
      final Duration? hint = _parseRetryAfter(answer.headers['retry-after']);
      if (hint != null && hint > _policy.maxRetryAfter) {
        return answer.toStreamed(request);
      }
      await _wait(hint ?? _policy.backoff(attempt, _random), abortTrigger);
    }
  }

  /// One attempt: a fresh request (a sent one cannot be sent again) with the same bytes.
  Future<_Answer> _attempt(
    http.BaseRequest original,
    String method,
    Uint8List body,
    _CallContext? call,
    Duration timeout,
    Future<void>? abortTrigger,
  ) async {
    final Completer<void> abort = Completer<void>();
    final http.AbortableRequest request =
        http.AbortableRequest(method, original.url, abortTrigger: abort.future);
    request.headers.addAll(_headers);
    request.headers.addAll(original.headers);
    if (call != null) {
      final String? token = call.accessToken;
      if (token != null && token.isNotEmpty) {
        request.headers['Authorization'] = 'Bearer $token';
      }
      final Map<String, String>? extra = call.options?.headers;
      if (extra != null) {
        request.headers.addAll(extra);
      }
    }
    request.followRedirects = call == null ? original.followRedirects : call.followRedirects;
    request.maxRedirects = original.maxRedirects;
    request.persistentConnection = original.persistentConnection;
    if (body.isNotEmpty) {
      request.bodyBytes = body;
    }
    if (abortTrigger != null) {
      abortTrigger.then((void _) {
        call?.aborted = true;
        if (!abort.isCompleted) {
          abort.complete();
        }
      }, onError: (Object _) {});
    }

    final Future<_Answer> exchange = _exchange(request);
    try {
      if (timeout > Duration.zero) {
        return await exchange.timeout(timeout);
      }
      return await exchange;
    } on TimeoutException catch (error) {
      if (!abort.isCompleted) {
        abort.complete();
      }
      throw NetworkException(
        '$method ${original.url}: no answer within ${timeout.inMilliseconds} ms',
        cause: error,
        timedOut: true,
      );
    } on JanuaException {
      rethrow;
    } on Exception catch (error) {
      if (call != null && call.aborted) {
        throw NetworkException('$method ${original.url}: aborted by the caller',
            cause: error, aborted: true);
      }
      throw NetworkException('$method ${original.url}: $error', cause: error);
    }
  }

  Future<_Answer> _exchange(http.BaseRequest request) async {
    final http.StreamedResponse response = await _inner.send(request);
    final Uint8List bytes = await response.stream.toBytes();
    return _Answer(
        response.statusCode, response.headers, bytes, response.reasonPhrase, response.isRedirect);
  }

  /// Sleeps, or returns early when the caller aborts.
  Future<void> _wait(Duration delay, Future<void>? abortTrigger) {
    final Future<void> sleep = Future<void>.delayed(delay);
    if (abortTrigger == null) {
      return sleep;
    }
    return Future.any(<Future<void>>[sleep, abortTrigger]);
  }

  @override
  void close() {
    if (_ownsInner) {
      _inner.close();
    }
  }
}
