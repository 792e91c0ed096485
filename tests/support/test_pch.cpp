// The translation unit that builds the test executables' precompiled header (tests/CMakeLists.txt,
// billing_test_pch). It has nothing of its own: the headers come from target_precompile_headers.
