"""The provider network: providers, their facilities, the care-specialty tree and what each facility offers."""
