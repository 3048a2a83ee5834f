/// The facade over the generated wire layer (`../generated/api.dart`): one [Janua] client
/// with a namespace per spec tag, tokens kept and refreshed, retries with backoff, timeouts,
/// typed errors and auto-paginating streams. The Dart twin of the TypeScript `Janua`
/// (sdks/typescript/src/client.ts) and of the Python `janua.Janua`.
///
/// The machinery is hand-written (client.dart, retry.dart, errors.dart, storage.dart); the
/// namespace classes, one method per spec operation, are generated into
/// generated/namespaces.g.dart by `python -m codegen` (codegen/targets/dart_facade.py).
///
/// Nothing here has been compiled: see sdks/flutter/README.md, "What is and is not verified".
library janua.facade;

import 'dart:async';
import 'dart:convert';
import 'dart:math';
import 'dart:typed_data';

import 'package:http/http.dart' as http;

import '../generated/api.dart';

part 'client.dart';
part 'errors.dart';
part 'generated/namespaces.g.dart';
part 'retry.dart';
part 'storage.dart';
