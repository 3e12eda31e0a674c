fn main() {
    let total = 3;
    traced::record!();
    traced::record!(total);
    traced::record!(order. = total);
    traced::record!(order.total =);
    traced::record!(order.total = total amount = 1);
}
