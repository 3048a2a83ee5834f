/// Client for the Janua API.
///
/// Everything public comes from the generated wire layer under src/generated, which is
/// rewritten by `python -m codegen` from spec/openapi.yaml; see README.md for what is and is
/// not verified about it.
library janua;

export 'src/generated/api.dart';
