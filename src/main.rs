fn main() -> std::process::ExitCode {
    faceki_kiosk::cli::main()
}
